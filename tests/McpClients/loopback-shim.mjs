// server-everything calls `app.listen(PORT)` with no host, i.e. it binds every
// interface and has no HOST option. Tests must only bind loopback, so preload
// this with `node --import ./loopback-shim.mjs ...`: any net.Server.listen()
// call that gives a port but no host is rewritten to host 127.0.0.1.
import net from 'node:net';
const origListen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const a0 = args[0];
  if (typeof a0 === 'number' || (typeof a0 === 'string' && /^\d+$/.test(a0))) {
    // listen(port[, host][, backlog][, cb])
    if (typeof args[1] !== 'string') args.splice(1, 0, '127.0.0.1');
  } else if (a0 && typeof a0 === 'object' && !Array.isArray(a0) && a0.path === undefined && a0.host === undefined && a0.fd === undefined && a0.handle === undefined && a0._handle === undefined) {
    args[0] = { ...a0, host: '127.0.0.1' };
  } else if (a0 === undefined || typeof a0 === 'function') {
    args.unshift(0, '127.0.0.1');
  }
  return origListen.apply(this, args);
};
