// Preloaded (`node --import`) into a child process that must work offline: every attempt to open a
// network connection or resolve a name is reported on stderr with NETWORK_ATTEMPT and refused.
// Unix-domain sockets (IPC) stay allowed.
import dns from 'node:dns';
import net from 'node:net';

const refuse = (what) => {
  process.stderr.write(`NETWORK_ATTEMPT ${what}\n`);
  return new Error(`network access is not allowed here (${what})`);
};
const describe = (args) => {
  const [first, second] = Array.isArray(args[0]) ? args[0] : args;
  if (typeof first === 'object' && first !== null) return first.path ?? `${first.host ?? 'localhost'}:${first.port}`;
  return typeof first === 'string' && second === undefined ? first : `${second ?? 'localhost'}:${first}`;
};
const isIpc = (args) => {
  const [first, second] = Array.isArray(args[0]) ? args[0] : args;
  return (typeof first === 'object' && first !== null && typeof first.path === 'string') || (typeof first === 'string' && second === undefined && Number.isNaN(Number(first)));
};

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  if (isIpc(args)) return connect.apply(this, args);
  const error = refuse(`connect ${describe(args)}`);
  process.nextTick(() => this.destroy(error));
  return this;
};
dns.lookup = (host, ...rest) => {
  const callback = rest.at(-1);
  process.nextTick(() => callback(refuse(`dns ${host}`)));
};
dns.promises.lookup = async (host) => {
  throw refuse(`dns ${host}`);
};
globalThis.fetch = async (input) => {
  throw refuse(`fetch ${String(input instanceof Request ? input.url : input)}`);
};
