// The new admin's password, never echoed: typed at a hidden prompt (twice) on a terminal, else the first
// line of stdin (`printf '%s\n' "$PW" | npm run admin:create -- …`). Nothing typed or piped means: generate one.
import { generatePassword } from '../../identity/passwords.ts';

export interface PasswordChoice {
  password: string;
  generated: boolean;
}

export async function readPassword(): Promise<PasswordChoice> {
  const given = process.stdin.isTTY ? await promptTwice() : await firstLineOfStdin();
  return given ? { password: given, generated: false } : { password: generatePassword(), generated: true };
}

async function promptTwice(): Promise<string> {
  const first = await promptHidden('Password (empty: generate one): ');
  if (!first) return '';
  if ((await promptHidden('Password again: ')) !== first) throw new Error('The two passwords differ; nothing was changed.');
  return first;
}

/** Reads a line with the terminal's echo off (raw mode), handling backspace and Ctrl-C. */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stdout.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve) => {
    let value = '';
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\u0003') {
          process.stdout.write('\n');
          process.exit(130);
        } else if (char === '\r' || char === '\n') {
          stdin.off('data', onData);
          stdin.setRawMode(false);
          stdin.pause();
          process.stdout.write('\n');
          return resolve(value);
        } else if (char === '\u007f' || char === '\b') {
          value = value.slice(0, -1);
        } else {
          value += char;
        }
      }
    };
    stdin.on('data', onData);
  });
}

async function firstLineOfStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text.split(/\r?\n/)[0] ?? '';
}
