// hls.js's light build ships without declarations of its own: it is the same API, fewer features.
declare module 'hls.js/light' {
  export * from 'hls.js';
  export { default } from 'hls.js';
}
