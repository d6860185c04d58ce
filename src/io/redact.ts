/**
 * Last line of defence so secrets never reach a terminal or a log: values registered at run time
 * (an EKS token, a Grafana password) and the shapes of AWS keys and bearer tokens.
 */
const registered = new Set<string>();

export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 8) registered.add(value);
}

const PATTERNS: RegExp[] = [
  /k8s-aws-v1\.[A-Za-z0-9_-]+/g,
  /(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/g,
  /(aws_secret_access_key|aws_session_token|secretAccessKey|sessionToken|SecretAccessKey|SessionToken)(["']?\s*[:=]\s*["']?)[^\s"',}]+/g,
  /(X-Amz-Security-Token=)[^&\s"]+/g,
];

export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of registered) out = out.split(secret).join("[redacted]");
  out = out.replace(PATTERNS[0]!, "k8s-aws-v1.[redacted]");
  out = out.replace(PATTERNS[1]!, "[redacted-access-key]");
  out = out.replace(PATTERNS[2]!, "$1$2[redacted]");
  out = out.replace(PATTERNS[3]!, "$1[redacted]");
  return out;
}
