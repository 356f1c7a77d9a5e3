// The contract between a client script and tests/node_clients.py: the input is one JSON
// document on stdin, the result one JSON document on the last line of stdout.
import { readFileSync } from "node:fs";

export function readInput() {
  const text = readFileSync(0, "utf8");
  return text.trim() ? JSON.parse(text) : {};
}

export function writeResult(value) {
  process.stdout.write(JSON.stringify(value) + "\n");
}

// Scripts talk to the gateway under test and nothing else.
export function loopbackUrl(url) {
  const parsed = new URL(url);
  if (parsed.hostname !== "127.0.0.1" && parsed.hostname !== "localhost") {
    throw new Error(`refusing a non-loopback URL: ${url}`);
  }
  return parsed.toString();
}
