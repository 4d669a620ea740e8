// The application every build reports from: it prices a cart that has an item without a price
// (and, in 1.0.2, one with no quantity) and sends the error to the DSN with @sentry/node.
import * as Sentry from '@sentry/node';
import { totalOf } from './cart.js';

Sentry.init({
  dsn: process.env.SENTRY_DSN,
  release: process.env.APP_RELEASE,
  environment: 'production',
});

const cart = [
  { sku: 'tea', price: 4.5, quantity: 2 },
  { sku: 'cake', quantity: 0 },
];

try {
  console.log(`total: ${totalOf(cart)}`);
} catch (error) {
  // The runner reads the event back by this id.
  console.log(`event ${Sentry.captureException(error)}`);
}
if (!(await Sentry.flush(5000))) {
  console.error('the event was not sent within 5 s');
  process.exitCode = 1;
}
