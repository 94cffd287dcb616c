// A refusal of the server's (an ErrorPayload) shown on a form, translated; nothing when there is none.
import { useTranslation } from 'react-i18next';

export function FormError({ error }: { error: { messageKey: string; params?: Record<string, string | number> } | null | undefined }) {
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <p className="form-error" role="alert">
      {t(error.messageKey, error.params ?? {})}
    </p>
  );
}
