// Preloaded (`node -r …/instrument-hook.cjs`) into a server process that run.mjs started with an IPC channel. Driven by
// messages from the benchmark, it changes nothing until asked:
//   {profile: 'start'} / {profile: 'stop', file}  V8 CPU profile of exactly the measured window → .cpuprofile file
//   {count: 'start'} / {count: 'stop'}             counts every SQL statement (pg Client#query, by text) and Redis
//                                                  command (ioredis sendCommand, by name) the process sends meanwhile
// (Signals are no use here: Nest's enableShutdownHooks() shuts the app down on SIGUSR2.)
'use strict';
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');

if (process.send) {
  process.channel?.unref();
  let session = null;
  let counting = false;
  let sql = new Map();
  let redis = new Map();
  const bump = (m, k) => m.set(k, (m.get(k) ?? 0) + 1);
  const normalised = new Map();
  const norm = (text) => {
    let n = normalised.get(text);
    if (n === undefined) {
      n = text.slice(0, 300).replace(/\s+/g, ' ').trim().slice(0, 90);
      if (normalised.size < 5000) normalised.set(text, n);
    }
    return n;
  };
  const fromApp = (name) => {
    try {
      return require(require.resolve(name, { paths: [process.cwd(), path.dirname(process.argv[1] ?? '')] }));
    } catch {
      return null;
    }
  };
  const pg = fromApp('pg');
  if (pg?.Client) {
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function (config, ...rest) {
      if (counting) {
        const text = typeof config === 'string' ? config : config?.text;
        if (typeof text === 'string') bump(sql, norm(text));
      }
      return query.call(this, config, ...rest);
    };
  }
  const Redis = fromApp('ioredis');
  const RedisClass = Redis?.default ?? Redis;
  if (RedisClass?.prototype?.sendCommand) {
    const send = RedisClass.prototype.sendCommand;
    RedisClass.prototype.sendCommand = function (command, ...rest) {
      if (counting && command?.name) bump(redis, command.name);
      return send.call(this, command, ...rest);
    };
  }
  process.on('message', (m) => {
    if (!m || typeof m !== 'object') return;
    if (m.profile === 'start') {
      if (!session) {
        session = new inspector.Session();
        session.connect();
      }
      session.post('Profiler.enable', () =>
        session.post('Profiler.setSamplingInterval', { interval: m.intervalUs ?? 200 }, () =>
          session.post('Profiler.start', () => process.send({ profile: 'started' })),
        ),
      );
    } else if (m.profile === 'stop' && session) {
      session.post('Profiler.stop', (error, result) => {
        if (!error) fs.writeFileSync(m.file, JSON.stringify(result.profile));
        process.send({ profile: 'written', error: error ? String(error) : null });
      });
    } else if (m.count === 'start') {
      sql = new Map();
      redis = new Map();
      counting = true;
      process.send({
        count: 'started',
        pg: Boolean(pg?.Client),
        redis: Boolean(RedisClass?.prototype?.sendCommand),
      });
    } else if (m.count === 'stop') {
      counting = false;
      const sorted = (x) => Object.fromEntries([...x.entries()].sort((a, b) => b[1] - a[1]));
      process.send({ count: 'result', sql: sorted(sql), redis: sorted(redis) });
    }
  });
}
