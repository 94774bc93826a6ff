// What tickets are about. Each topic goes with one of the tags every organization gets, with how
// often it comes up and the titles and descriptions its tickets are written from ({placeholders}: see
// fill in phrases.ts).

/** Tags created in every organization. */
export const SEED_TAGS = [
  'billing',
  'bug',
  'feature-request',
  'urgent-customer',
  'login',
  'mobile',
  'integrations',
  'performance',
  'data-export',
  'onboarding',
  'security',
  'documentation',
] as const;

interface Topic {
  tag: (typeof SEED_TAGS)[number];
  weight: number;
  titles: readonly string[];
  details: readonly string[];
}

export const TOPICS: readonly Topic[] = [
  {
    tag: 'login',
    weight: 14,
    titles: [
      "Can't log in after resetting my password",
      'Two-factor code is never accepted',
      'Locked out of my account',
      'SSO sign-in loops back to the login page',
      'Password reset email never arrives',
    ],
    details: [
      'I reset my password this morning and the new one is rejected every time.',
      'The six-digit code from my authenticator app is refused, even right after it refreshes.',
      'After a few failed attempts the account was locked and I cannot find a way to unlock it.',
      'When I click "Sign in with SSO" in {browser} I end up on the login page again.',
      'I requested the reset link three times; nothing in the inbox or in spam.',
    ],
  },
  {
    tag: 'billing',
    weight: 14,
    titles: [
      'Charged twice for the {month} invoice',
      'Need a copy of invoice #{n}',
      'Update the credit card on file',
      'Question about {plan} plan pricing',
      'Refund for unused seats',
    ],
    details: [
      'Our card statement shows two identical charges for {month}.',
      'Our accounting team needs a PDF copy of invoice #{n} with our VAT number on it.',
      'The card on file expires at the end of the month; where do I change it?',
      'We are considering the {plan} plan. Is the price per seat or per workspace?',
      'We removed a dozen users last month but are still billed for them.',
    ],
  },
  {
    tag: 'bug',
    weight: 20,
    titles: [
      'Export to CSV drops the last row',
      'Dashboard totals do not match the report',
      'Error {code} when saving a {thing}',
      'Search does not find older items',
      'Attachments over 10 MB fail to upload',
      'Dates shown in the wrong time zone',
    ],
    details: [
      'Every CSV export is missing the last line, we checked with several date ranges.',
      'The dashboard says one number and the detailed report says another for the same week.',
      'Saving a {thing} fails with error {code}. It worked fine yesterday.',
      'Searching for anything older than a few months returns no results.',
      'Uploading a large PDF stops at 99% and then shows a generic error.',
      'All timestamps appear a few hours off for our team in Europe.',
    ],
  },
  {
    tag: 'mobile',
    weight: 10,
    titles: [
      'App crashes when opening notifications on {device}',
      'Mobile app logs me out every day',
      'Push notifications arrive twice',
      'Cannot attach photos from the {device}',
    ],
    details: [
      'On my {device} the app closes as soon as I tap a notification.',
      'I have to sign in again every morning on the mobile app.',
      'Every push notification shows up twice, a few seconds apart.',
      'The photo picker opens but nothing happens after I choose a picture on the {device}.',
    ],
  },
  {
    tag: 'feature-request',
    weight: 12,
    titles: [
      'Please add a dark mode',
      'Allow bulk editing of {things}',
      'Feature request: scheduled reports',
      'Could you add a {app} integration?',
      'Custom fields on {things}',
    ],
    details: [
      'Several of us work late and would love a dark theme.',
      'Editing {things} one at a time takes us hours every week.',
      'We would like the weekly report emailed to managers every Monday.',
      'Most of our team lives in {app}; an integration would save a lot of copy and paste.',
      'We need to track a contract number on our {things}.',
    ],
  },
  {
    tag: 'performance',
    weight: 8,
    titles: ['Pages load very slowly since yesterday', 'Reports time out for large date ranges', 'Search takes several seconds'],
    details: [
      'Every page takes ten seconds or more to load, for everyone in our office.',
      'Running the yearly report ends with a timeout after a minute.',
      'Typing in the search box freezes the page for a few seconds.',
    ],
  },
  {
    tag: 'integrations',
    weight: 8,
    titles: ['Webhook deliveries failing with {code}', '{app} integration stopped syncing', 'API rate limit too low for our import'],
    details: [
      'Our webhook endpoint receives nothing and the delivery log shows {code} errors.',
      'Nothing has synced to {app} since the weekend.',
      'Our nightly import hits the rate limit after a few thousand requests.',
    ],
  },
  {
    tag: 'data-export',
    weight: 5,
    titles: ['How do I export all our data?', 'Data deletion request', 'Export of archived {things}'],
    details: [
      'We need a full export of our account for an audit.',
      'A former customer asked us to delete all their personal data.',
      'Archived {things} are not included in the export.',
    ],
  },
  {
    tag: 'onboarding',
    weight: 6,
    titles: ['How do I invite my team?', 'Setting up our first workflow', 'Importing contacts from our old helpdesk'],
    details: [
      'We just signed up and want to add twenty colleagues.',
      'We are not sure how to set up approvals for our first workflow.',
      'We have a CSV of contacts from our previous tool.',
    ],
  },
  {
    tag: 'security',
    weight: 3,
    titles: ['Suspicious login notification', 'Please rotate our API keys', 'Request for your SOC 2 report'],
    details: [
      'I received an alert about a login from a country none of us are in.',
      'A key may have leaked in a public repository; please help us rotate it.',
      'Our security team needs your latest SOC 2 report before renewal.',
    ],
  },
];

export const TOPIC_WEIGHTS = TOPICS.map((t) => t.weight);
