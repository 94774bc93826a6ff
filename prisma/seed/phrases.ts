// The words of tickets and conversations: greetings, replies and notes, and the vocabulary their
// {placeholders} are filled from. Drawn from the ticket's own PRNG stream, so the text is deterministic.
import type { Random } from './random.ts';

const VOCABULARY: Record<string, readonly string[]> = {
  browser: ['Chrome', 'Firefox', 'Safari', 'Edge'],
  device: ['iPhone 15', 'iPad', 'Pixel 8', 'Galaxy S23', 'Android tablet'],
  month: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
  plan: ['Starter', 'Team', 'Business', 'Enterprise'],
  thing: ['report', 'workflow', 'contact', 'invoice', 'project', 'form'],
  things: ['contacts', 'invoices', 'projects', 'users', 'reports'],
  app: ['Slack', 'Salesforce', 'Zapier', 'HubSpot', 'Jira', 'Google Sheets'],
  code: ['401', '403', '500', '502', '504'],
};

export const GREETINGS = ['Hi,', 'Hello,', 'Hi team,', 'Good morning,', 'Hello support,'];
export const EXTRAS = [
  'This is blocking part of our team.',
  'It started after the latest update.',
  'It happens about half of the time.',
  'Happy to jump on a call if that helps.',
  'I attached a screenshot.',
  'We are on {browser}, latest version.',
  'Could you look into it this week?',
];
export const CLOSINGS = ['Thanks,', 'Thank you,', 'Best,', 'Regards,', 'Cheers,'];

export const CUSTOMER_REPLIES = [
  'Any update on this?',
  'Thanks, that worked!',
  'I tried that but it still happens.',
  'Here is a screenshot of the error.',
  'It happens in {browser} too.',
  'We can live with the workaround for now, thank you.',
  'Sure, I am available tomorrow morning.',
  'A colleague sees the same thing.',
  'That fixed it for me but not for my colleague.',
  'Thanks {agent}, much appreciated.',
];
export const AGENT_REPLIES = [
  'Hi {first}, thanks for reaching out. I am looking into this now.',
  'Hi {first}, could you tell me which browser and version you are using?',
  'We have deployed a fix. Could you confirm that it works for you?',
  'Thanks for the details, {first}. I have passed this on to our engineers.',
  'Could you try clearing the cache and signing in again?',
  'This is a known issue and a fix is planned for next week. I will keep you posted.',
  'I have updated your account settings; it should work now.',
  'Glad it works now! I will close this ticket, just reply if anything else comes up.',
  'Could you send us the exact time it happened, so we can check our logs?',
  'Hi {first}, a quick follow-up: is this still happening?',
];
export const INTERNAL_NOTES = [
  'Reproduced on staging, filed as ENG-{n}.',
  'Customer is on the {plan} plan. Prioritize.',
  'Escalating to the billing team.',
  'Looks like a duplicate of #{n}.',
  'Checked the logs: errors started after the last deploy.',
  'Waiting on engineering, do not close yet.',
  'Second report of this issue this week.',
  'Refund approved by finance.',
  'Asked on the team channel, nobody else sees it.',
  '{first} has been very patient, consider a goodwill credit.',
];

/** Fills {placeholders}; with a memo, a placeholder repeated across texts (title, body) gets one value. */
export function fill(template: string, rng: Random, names: { first?: string; agent?: string } = {}, memo?: Map<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => {
    if (key === 'first') return names.first ?? 'there';
    if (key === 'agent') return names.agent ?? 'team';
    const known = memo?.get(key);
    if (known !== undefined) return known;
    const words = VOCABULARY[key];
    const value = key === 'n' ? String(rng.int(1000, 99999)) : words ? rng.pick(words) : key;
    memo?.set(key, value);
    return value;
  });
}
