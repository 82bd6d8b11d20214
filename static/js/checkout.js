// Stripe's Payment Element on the order's payment page (card, Alipay, WeChat Pay).
// Stripe.js is loaded from js.stripe.com by the page; the amount and the PaymentIntent
// were fixed on the server. On success Stripe returns to the order page, which shows
// the payment once Stripe's webhook has confirmed it.
(function () {
  "use strict";
  var form = document.getElementById("payment-form");
  if (!form) return;
  var message = document.getElementById("payment-message");
  var submit = document.getElementById("payment-submit");

  function show(text) {
    message.textContent = text;
    message.hidden = !text;
  }

  if (typeof window.Stripe !== "function") {
    show(form.dataset.msgUnavailable);
    return;
  }
  var stripe = window.Stripe(form.dataset.publishableKey, { locale: form.dataset.locale || "auto" });
  var elements = stripe.elements({ clientSecret: form.dataset.clientSecret });
  var paymentElement = elements.create("payment", { layout: "tabs" });
  var container = document.getElementById("payment-element");
  container.textContent = "";
  paymentElement.mount(container);
  paymentElement.on("ready", function () {
    submit.disabled = false;
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    submit.disabled = true;
    show("");
    stripe
      .confirmPayment({ elements: elements, confirmParams: { return_url: form.dataset.returnUrl } })
      .then(function (result) {
        // Only reached when the payment did not redirect: an error to show next to the form.
        if (result.error) {
          show(result.error.message || form.dataset.msgUnavailable);
        }
        submit.disabled = false;
      });
  });
})();
