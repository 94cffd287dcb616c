// The CSP nonce of the page being rendered, for the inline scripts Remix writes (Scripts,
// ScrollRestoration). Set on the server; in the browser it is empty (browsers hide nonces).
import { createContext, useContext } from 'react';

export const NonceContext = createContext('');
export const useNonce = () => useContext(NonceContext);
