// The player's choices: quality (or audio only), speed and captions.
import { useTranslation } from 'react-i18next';
import type { Level } from '../../hooks/use-hls.ts';

export const speeds = [0.75, 1, 1.25, 1.5, 1.75, 2];
/** The quality choice that plays the audio rendition alone. */
export const AUDIO_ONLY = -2;

type Props = {
  levels: Level[];
  level: number;
  onLevel: (level: number) => void;
  /** A lecture that has audio only: no quality to choose. */
  audioOnlySource: boolean;
  speed: number;
  onSpeed: (speed: number) => void;
  captions: string[];
  caption: string;
  onCaption: (language: string) => void;
};

export function PlayerControls(props: Props) {
  const { t } = useTranslation();
  return (
    <div className="player-controls">
      <label>
        {t('video.quality')}{' '}
        <select
          value={props.level}
          onChange={(event) => props.onLevel(Number(event.target.value))}
          data-testid="quality"
          disabled={props.audioOnlySource}
        >
          <option value={-1}>{t('video.auto')}</option>
          {props.levels.map((l) => (
            <option key={l.index} value={l.index}>
              {l.height}p
            </option>
          ))}
          <option value={AUDIO_ONLY}>{t('video.audioOnly')}</option>
        </select>
      </label>{' '}
      <label>
        {t('video.speed')}{' '}
        <select value={props.speed} onChange={(event) => props.onSpeed(Number(event.target.value))} data-testid="speed">
          {speeds.map((s) => (
            <option key={s} value={s}>
              {s}×
            </option>
          ))}
        </select>
      </label>{' '}
      {props.captions.length ? (
        <label>
          {t('video.captions')}{' '}
          <select
            value={props.caption}
            onChange={(event) => props.onCaption(event.target.value)}
            data-testid="captions"
          >
            <option value="">{t('video.captionsOff')}</option>
            {props.captions.map((language) => (
              <option key={language} value={language}>
                {t(`language.${language}`)}
              </option>
            ))}
          </select>
        </label>
      ) : null}
    </div>
  );
}
