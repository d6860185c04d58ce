// Alertmanager's configuration, written from the config's `alerts.receiver` (pure). Field names follow
// Alertmanager's docs/configuration.md; the tests check the result with the real `amtool check-config`.
import { stringify } from "yaml";
import type { Config } from "../config/schema.js";

export type AlertReceiver = Config["alerts"]["receiver"];

/** Where the Slack webhook URL is mounted from the Secret monitoring/alertmanager-receiver. */
export const SLACK_URL_FILE = "/etc/alertmanager-receiver/slack-webhook-url";
export const RECEIVER_SECRET = {
  namespace: "monitoring",
  name: "alertmanager-receiver",
  key: "slack-webhook-url",
} as const;
/** The environment variable the Slack webhook URL is read from at apply time (never from the config file). */
export const SLACK_URL_ENV = "TRITON_OPS_SLACK_WEBHOOK_URL";

export interface AlertmanagerTiming {
  groupWait: string;
  groupInterval: string;
  repeatInterval: string;
}

const DEFAULT_TIMING: AlertmanagerTiming = { groupWait: "30s", groupInterval: "5m", repeatInterval: "4h" };

function receiverEntry(receiver: AlertReceiver, region: string): Record<string, unknown> {
  const name = "triton-ops";
  switch (receiver.type) {
    case "none":
      return { name };
    case "webhook":
      return { name, webhook_configs: [{ url: receiver.url, send_resolved: true }] };
    case "slack":
      return {
        name,
        slack_configs: [
          {
            api_url_file: SLACK_URL_FILE,
            ...(receiver.channel ? { channel: receiver.channel } : {}),
            send_resolved: true,
            title: "[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}",
            text: "{{ range .Alerts }}{{ .Annotations.summary }}\n{{ end }}",
          },
        ],
      };
    case "sns":
      // Credentials come from the pod's IRSA role (the SDK's default chain); only the region is given.
      return {
        name,
        sns_configs: [
          {
            topic_arn: receiver.topicArn,
            sigv4: { region },
            subject: "[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}",
            send_resolved: true,
          },
        ],
      };
  }
}

/** Pure: alertmanager.yml for the chosen receiver. */
export function alertmanagerConfig(
  receiver: AlertReceiver,
  region: string,
  timing: AlertmanagerTiming = DEFAULT_TIMING,
): string {
  return stringify({
    route: {
      receiver: "triton-ops",
      group_by: ["alertname", "namespace"],
      group_wait: timing.groupWait,
      group_interval: timing.groupInterval,
      repeat_interval: timing.repeatInterval,
    },
    receivers: [receiverEntry(receiver, region)],
  });
}
