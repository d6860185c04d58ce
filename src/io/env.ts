/** Running under CI (the CI variable most CI systems set): no prompts, no spinners, no nagging. */
export function isCi(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.CI) && env.CI !== "false" && env.CI !== "0";
}
