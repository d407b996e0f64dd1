import { execFileSync } from 'node:child_process';

/** How the font check looks at and changes the machine (injectable for tests). */
export interface FontSystem {
  /** Font families that cover Chinese (`fc-list :lang=zh family`), '' when none. */
  listChinese(): string;
  /** Whether we may install packages (root with apt-get). */
  canInstall(): boolean;
  /** Installs Debian's Noto CJK fonts. */
  install(): void;
}

const run = (cmd: string, args: string[]) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
};

export const debianFonts: FontSystem = {
  listChinese: () => run('fc-list', [':lang=zh', 'family']).trim(),
  canInstall: () => process.getuid?.() === 0 && run('sh', ['-c', 'command -v apt-get']).trim() !== '',
  install: () => {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', 'fonts-noto-cjk'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  },
};

/**
 * Chinese must render in screenshots and browser tests, not as empty boxes: with no font that
 * covers it, install Debian's fonts-noto-cjk when we may, else stop and say how.
 */
export function ensureCjkFont(sys: FontSystem = debianFonts): 'present' | 'installed' {
  if (sys.listChinese()) return 'present';
  if (!sys.canInstall())
    throw new Error(
      'No font covers Chinese, so the zh-CN screenshots would show empty boxes. Install one: sudo apt-get install fonts-noto-cjk',
    );
  sys.install();
  if (!sys.listChinese())
    throw new Error('fonts-noto-cjk was installed but fontconfig still lists no Chinese font.');
  return 'installed';
}
