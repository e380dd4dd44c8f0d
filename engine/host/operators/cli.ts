// `signalbox operators ...`: manage who may sign in to the console, from the machine's shell (the
// data folder is the authority: whoever may write it may manage operators). Passwords come from
// stdin or a prompt that does not echo, never from an argument (it would sit in ps and history).
import { parseArgs } from 'node:util';
import { role as roleSchema, roles, type Role } from '../../api/identity.ts';
import { SessionStore } from './sessions.ts';
import { OperatorStore, tokenScope } from './store.ts';

export class OperatorsUsageError extends Error {
  override name = 'OperatorsUsageError';
}

/** `dataDirOf(configFile)`: the data folder serve would use with that config (or none). */
export async function operatorsCommand(
  args: string[],
  dataDirOf: (configFile: string | undefined) => Promise<string>,
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: { role: { type: 'string' }, scope: { type: 'string' }, 'data-dir': { type: 'string' }, config: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const [action, name, ...extra] = positionals;
  if (extra.length > 0)
    throw new OperatorsUsageError(`operators: unexpected ${extra.join(' ')} (a password is never an argument: it is read from stdin or a prompt)`);
  const dataDir = values['data-dir'] ?? (await dataDirOf(values.config));
  const store = new OperatorStore(dataDir);
  const needName = () => {
    if (!name) throw new OperatorsUsageError(`operators ${action}: give the name, e.g. signalbox operators ${action} alice`);
    return name;
  };
  const needRole = (): Role => {
    const parsed = roleSchema.safeParse(values.role);
    if (!parsed.success) throw new OperatorsUsageError(`operators ${action}: --role ${values.role ?? '(missing)'}: use one of ${roles.join(', ')}`);
    return parsed.data;
  };
  const endSessions = async (who: string) => (await SessionStore.open(dataDir)).revokeOperator(who);

  switch (action) {
    case 'add': {
      const who = needName();
      const role = needRole();
      const operator = await store.add(who, role, await readPassword(`Password for ${who}: `));
      out.write(`added ${operator.name} (${operator.role})\n`);
      return;
    }
    case 'list':
      for (const operator of store.list()) out.write(`${operator.name}\t${operator.role}\t${new Date(operator.createdAt).toISOString()}\n`);
      return;
    case 'set-role': {
      const who = needName();
      await store.setRole(who, needRole());
      await endSessions(who);
      out.write(`${who} is now ${values.role}; their sessions ended\n`);
      return;
    }
    case 'remove': {
      const who = needName();
      await store.remove(who);
      await endSessions(who);
      out.write(`removed ${who}\n`);
      return;
    }
    case 'reset-password': {
      const who = needName();
      await store.resetPassword(who, await readPassword(`New password for ${who}: `));
      await endSessions(who);
      out.write(`password of ${who} reset; their sessions ended\n`);
      return;
    }
    case 'token-add': {
      const scope = tokenScope.safeParse(values.scope);
      if (!scope.success)
        throw new OperatorsUsageError(`operators token-add: --scope ${values.scope ?? '(missing)'}: use metrics (Prometheus) or api (scripts)`);
      const created = await store.createToken(needName(), needRole(), scope.data, 'cli');
      out.write(`${created.token}\n`);
      process.stderr.write(`API token ${created.info.name} (${created.info.role}, ${created.info.scope}): shown this once; send it as Authorization: Bearer\n`);
      return;
    }
    case 'token-list':
      for (const token of store.listTokens())
        out.write(`${token.name}\t${token.role}\t${token.scope}\tby ${token.createdBy}\t${new Date(token.createdAt).toISOString()}\n`);
      return;
    case 'token-revoke':
      await store.revokeToken(needName());
      out.write(`revoked ${name}\n`);
      return;
    default:
      throw new OperatorsUsageError(
        `operators: "${action ?? ''}" is not an action: add, list, set-role, remove, reset-password, token-add, token-list, token-revoke (signalbox --help)`,
      );
  }
}

/** One line from stdin (a pipe or file), or a prompt on the terminal that does not echo, asked twice. */
async function readPassword(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(chunk as Buffer);
    const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
    if (!line)
      throw new OperatorsUsageError('operators: no password on stdin: pipe it in (printf %s "$PW" | signalbox operators ...) or run on a terminal to be asked');
    return line;
  }
  const first = await promptHidden(prompt);
  const second = await promptHidden('Again: ');
  if (first !== second) throw new OperatorsUsageError('operators: the two passwords differ; nothing changed');
  return first;
}

function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const onData = (data: Buffer) => {
      for (const char of data.toString('utf8')) {
        if (char === '\r' || char === '\n') return done(() => resolve(typed));
        if (char === '\u0003') return done(() => reject(new OperatorsUsageError('operators: cancelled')));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    const done = (then: () => void) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      then();
    };
    stdin.on('data', onData);
  });
}
