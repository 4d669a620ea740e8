// The kinds of integration and the fields each one's config has, named as the server's config
// JSON names them (`integrations/src`, tagged by `type`). From these come the form, the GraphQL
// fragment that reads a config back, and the JSON sent; secrets are write-only.

/** `api_base_url` → `apiBaseUrl`, the field's name in the GraphQL settings type. */
const camel = (key) => key.replace(/_(\w)/g, (_, c) => c.toUpperCase());

const text = (key, label, more = {}) => ({ key, label, type: 'text', ...more });
const secret = (key, label, more = {}) => ({ key, label, type: 'password', secret: true, ...more });
const list = (key, label, more = {}) => ({ key, label, type: 'list', ...more });

export const KINDS = [
  {
    kind: 'webhook', name: 'Webhook', type: 'WebhookSettings',
    fields: [
      secret('url', 'Webhook URL', { required: true, help: 'Receives a signed JSON POST per notification.' }),
      secret('secret', 'Signing secret', { required: true, help: 'Signs each request (HMAC-SHA256) so the receiver can check it.' }),
    ],
  },
  {
    kind: 'email', name: 'Email', type: 'EmailSettings',
    fields: [
      text('host', 'SMTP host', { required: true }),
      { key: 'port', label: 'Port', type: 'number', help: 'Empty: 25, 587 or 465 by security.' },
      { key: 'security', label: 'Security', type: 'select', options: [['starttls', 'STARTTLS'], ['tls', 'TLS'], ['none', 'None (plain text)']] },
      text('username', 'Username'),
      secret('password', 'Password'),
      text('from', 'From address', { required: true, help: 'alerts@example.com or Larder <alerts@example.com>' }),
      list('to', 'Recipients', { help: 'Comma-separated. Empty: the organization\'s members.' }),
    ],
  },
  {
    kind: 'slack', name: 'Slack', type: 'SlackSettings',
    fields: [
      secret('bot_token', 'Bot token', { help: 'xoxb-… with chat:write; or use a webhook URL.' }),
      text('channel', 'Channel', { help: 'With a bot token: #alerts or a channel id.' }),
      secret('webhook_url', 'Webhook URL', { help: 'An incoming webhook, instead of a bot token.' }),
      text('api_base_url', 'API base URL', { help: 'Empty for slack.com.' }),
    ],
  },
  {
    kind: 'github', name: 'GitHub issues', type: 'GithubSettings',
    fields: [
      secret('token', 'Access token', { required: true, help: 'A token allowed to create issues in the repository.' }),
      text('owner', 'Owner', { required: true }),
      text('repo', 'Repository', { required: true }),
      list('labels', 'Labels', { help: 'Comma-separated.' }),
      text('api_base_url', 'API base URL', { help: 'Empty for github.com; Enterprise Server: https://HOST/api/v3' }),
    ],
  },
  {
    kind: 'jira', name: 'Jira', type: 'JiraSettings',
    fields: [
      text('base_url', 'Jira URL', { required: true, help: 'https://your-site.atlassian.net' }),
      { key: 'flavour', label: 'Edition', type: 'select', options: [['cloud', 'Cloud'], ['server', 'Server / Data Center']] },
      text('email', 'Account email', { help: 'Needed for Cloud.' }),
      secret('api_token', 'API token', { required: true }),
      text('project_key', 'Project key', { required: true }),
      text('issue_type', 'Issue type', { help: 'Empty: Bug.' }),
      list('labels', 'Labels', { help: 'Comma-separated.' }),
    ],
  },
  {
    kind: 'sms', name: 'SMS (Twilio)', type: 'SmsSettings',
    fields: [
      text('account_sid', 'Account SID', { required: true }),
      secret('auth_token', 'Auth token', { required: true }),
      text('from', 'From number', { required: true }),
      list('to', 'To numbers', { required: true, help: 'Comma-separated, in E.164 form (+15551234567).' }),
      text('base_url', 'API base URL', { help: 'Empty for Twilio.' }),
    ],
  },
];

export function kindOf(kind) {
  return KINDS.find((k) => k.kind === kind);
}

/** The selection reading every kind's config back (secrets as `{ set }`). */
export const CONFIG_FIELDS = KINDS.map((k) => `... on ${k.type} { ${k.fields
  .map((f) => (f.secret ? `${camel(f.key)} { set }` : camel(f.key))).join(' ')} timeoutMs }`).join('\n');

/** A stored field as the form holds it: lists comma-separated, enum values (`STARTTLS`) lowercase. */
function formValue(field, stored) {
  if (field.type === 'list') return stored.join(', ');
  if (field.type === 'select') return String(stored).toLowerCase();
  return String(stored);
}

/** The form's values for a stored config (secrets blank), or the defaults of a kind. */
export function valuesOf(kind, config) {
  return Object.fromEntries(kindOf(kind).fields.map((f) => {
    const stored = config?.[camel(f.key)];
    if (f.secret || stored == null) return [f.key, f.type === 'select' ? f.options[0][0] : ''];
    return [f.key, formValue(f, stored)];
  }));
}

/** What a stored config shows for a field: secrets as `set`/`not set`, null when empty. */
export function shownValue(config, field) {
  const stored = config?.[camel(field.key)];
  if (field.secret) return stored?.set ? 'set' : 'not set';
  if (stored == null || stored === '' || (Array.isArray(stored) && stored.length === 0)) return null;
  const value = formValue(field, stored);
  return field.type === 'select' ? field.options.find(([v]) => v === value)?.[1] ?? value : value;
}

/** Whether a stored secret is set. */
export function secretIsSet(config, field) {
  return !!config?.[camel(field.key)]?.set;
}

/** The config JSON for `createIntegration`/`updateIntegration`. */
export function configOf(kind, values, timeoutMs) {
  const config = { type: kind };
  for (const f of kindOf(kind).fields) {
    const value = values[f.key].trim();
    if (f.type === 'list') config[f.key] = value.split(',').map((v) => v.trim()).filter(Boolean);
    else if (value === '') continue;
    else config[f.key] = f.type === 'number' ? Number(value) : value;
  }
  if (timeoutMs != null) config.timeout_ms = timeoutMs;
  return config;
}
