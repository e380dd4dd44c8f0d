// `require('electron')` (the built preload is CommonJS) gets the same recording stand-in as `import`:
// electron-stand-in.ts puts itself on this global when built-shell.ts loads it.
module.exports = globalThis[Symbol.for('signalbox.electron-stand-in')];
