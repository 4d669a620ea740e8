// Payments. A declined payment is reported to Sentry as a message.
import * as Sentry from '@sentry/browser';

const out = (text) => { document.getElementById('out').textContent = text; };
const orderId = () => document.getElementById('order-id').value.trim();
const provider = () => document.getElementById('provider').value;

// The fake provider declines every payment.
const charge = (id, via) => ({ ok: false, id, via });

// 1.0.1: decline reports go through one helper // @since 1.0.1
// BUG (browser-payment-declined): reported as an issue on every decline, with the order id and
// the provider formatted into the message.
function reportDecline(id, via) {
  Sentry.captureMessage(`Payment ${id} declined by ${via}`);
}

export function pay() {
  const result = charge(orderId(), provider());
  if (!result.ok) {
    reportDecline(result.id, result.via);
  }
  out(`payment ${result.ok ? 'accepted' : 'declined'}`);
}

function retryPayment(id, via) {
  const result = charge(id, via);
  if (!result.ok) {
    reportDecline(id, via);
  }
}

export function retryPaymentLater() {
  const id = orderId();
  const via = provider();
  setTimeout(() => retryPayment(id, via), 40);
}
