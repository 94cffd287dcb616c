// A lecture's captions: the languages it has, each removable, and a form to add a WebVTT or SRT file.
import { Form } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { locales } from '../../../server/common/locales.ts';

export function CaptionForm({ fileId, captions }: { fileId: string; captions: string[] }) {
  const { t } = useTranslation();
  return (
    <details className="captions">
      <summary>
        {t('video.captionsTitle')}
        {captions.length ? `: ${captions.map((language) => t(`language.${language}`)).join(', ')}` : ''}
      </summary>
      {captions.map((language) => (
        <Form method="post" key={language} className="inline-form">
          <input type="hidden" name="fileId" value={fileId} />
          <input type="hidden" name="language" value={language} />
          {t(`language.${language}`)}{' '}
          <button type="submit" name="intent" value="remove-caption">
            {t('video.removeCaption')}
          </button>
        </Form>
      ))}
      <Form method="post" encType="multipart/form-data" className="inline-form" data-testid="caption-form">
        <input type="hidden" name="intent" value="set-caption" />
        <input type="hidden" name="fileId" value={fileId} />
        <label>
          {t('video.captionLanguage')}{' '}
          <select name="language" defaultValue="ky">
            {locales.map((language) => (
              <option key={language} value={language}>
                {t(`language.${language}`)}
              </option>
            ))}
          </select>
        </label>{' '}
        <label>
          {t('video.captionFile')} <input type="file" name="captions" accept=".vtt,.srt,text/vtt" required />
        </label>{' '}
        <button type="submit">{t('video.addCaptions')}</button>
      </Form>
    </details>
  );
}
