// A refusal of the server's (an ErrorPayload) shown on a form, translated; nothing when there is none.
import { useTranslation } from 'react-i18next';

/** A refusal as the server answers it: a dictionary key and its parameters. */
export type Refusal = { messageKey: string; params?: Record<string, string | number> };

export function FormError({ error }: { error: Refusal | null | undefined }) {
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <p className="form-error" role="alert">
      {t(error.messageKey, error.params ?? {})}
    </p>
  );
}
