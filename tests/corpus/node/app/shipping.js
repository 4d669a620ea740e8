'use strict';
//+1.0.1 // Labels are printed asynchronously so the checkout response is not delayed.
//+1.0.1 const PRINT_DELAY_MS = 5;

const printed = [];

function scheduleLabelPrint(shipment) {
  setTimeout(() => {
    // BUG: pickup-in-store shipments have no carrier.
    printed.push({ carrier: shipment.carrier.id, to: shipment.address });
  }, 5);
}

function fulfil(order) {
  scheduleLabelPrint({ orderId: order.id, carrier: order.carrier, address: order.address });
  return { queued: true };
}

function reprintLabel(shipment) {
  scheduleLabelPrint(shipment);
  return { queued: true };
}

module.exports = { scheduleLabelPrint, fulfil, reprintLabel, printed };
