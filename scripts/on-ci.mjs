/**
 * Whether this run is a CI run: CI set to anything but empty, "false" or "0" (CI=false is how some
 * shells and runners say "not CI").
 * @param {Record<string, string | undefined>} env
 * @returns {boolean}
 */
export function onCi(env = process.env) {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== 'false' && value !== '0';
}
