/**
 * Quoting for the two languages an sbatch script mixes: bash for its body, and sbatch's own parser for the
 * `#SBATCH` lines, which bash never sees.
 */

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One bash word, whatever it contains: inside single quotes nothing is special except the quote itself. */
export function shellQuote(value: string): string {
  if (value !== '' && /^[A-Za-z0-9_./:=@%+,-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** An environment variable name that bash can export; anything else would be a way to inject code. */
export function assertEnvName(name: string): void {
  if (!ENV_NAME.test(name)) throw new Error(`not a valid environment variable name: ${JSON.stringify(name)}`);
}

/**
 * The value of an `#SBATCH --opt=VALUE` line. sbatch splits those lines at blanks unless quoted, and accepts
 * double quotes with backslash escapes; a newline would end the line, so it cannot be expressed at all.
 */
export function sbatchQuote(value: string): string {
  if (/[\n\r]/.test(value)) throw new Error(`an #SBATCH value cannot contain a line break: ${JSON.stringify(value)}`);
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(value)) return value;
  return `"${value.replace(/(["\\])/g, '\\$1')}"`;
}

/**
 * A path for --output/--error: sbatch expands %j, %x and friends in them, so a literal % is written %%.
 */
export function sbatchPath(path: string): string {
  return sbatchQuote(path.replace(/%/g, '%%'));
}

/** Job names and comments are labels: keep them to characters every Slurm tool prints unmangled. */
export function slurmLabel(value: string): string {
  return value.replace(/[^A-Za-z0-9_.:=+-]/g, '_');
}
