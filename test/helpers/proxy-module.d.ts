// The `proxy` test dependency ships ES module types under package.json "exports", which this
// project's module resolution (node10) does not read: point at them by path.
declare module 'proxy' {
  export * from 'proxy/dist/proxy';
}
