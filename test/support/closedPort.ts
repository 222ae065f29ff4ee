// A loopback port nothing listens on, for tests of what an offline machine sees.
import { createServer, type AddressInfo } from 'node:net';

/** A local port that was just freed: connecting to it is refused at once. */
export async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((listening) => probe.listen(0, '127.0.0.1', listening));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((closed) => probe.close(() => closed()));
  return port;
}

/** The same port as an http URL, for a package index or a dataset mirror. */
export async function closedPortUrl(): Promise<string> {
  return `http://127.0.0.1:${await closedPort()}/`;
}
