// The quote calculator on the product page: re-quotes through POST /api/v1/quotes as the buyer types.
// Without JavaScript the same form submits as GET and the server renders the quote.
(function () {
  "use strict";

  function formatCny(amount) {
    const negative = amount.startsWith("-");
    const [whole, fraction = "00"] = amount.replace("-", "").split(".");
    const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (negative ? "-" : "") + "¥" + grouped + "." + fraction.padEnd(2, "0");
  }

  function messageOf(data) {
    if (!data) return "";
    if (typeof data.detail === "string") return data.detail;
    const first = Object.values(data)[0];
    return Array.isArray(first) ? String(first[0]) : String(first || "");
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function init(panel) {
    const form = panel.querySelector("form.quote-form");
    const result = panel.querySelector("[data-quote-result]");
    if (!form || !result) return;
    let timer = null;
    let sequence = 0;

    function showError(message) {
      result.replaceChildren(element("p", "errorlist quote-error", message));
      result.querySelector("p").setAttribute("role", "alert");
    }

    function show(quote) {
      const table = element("table", "quote-lines");
      const body = element("tbody");
      quote.lines.forEach((line) => {
        const row = element("tr", "line line-" + line.kind);
        row.append(element("td", "", line.label), element("td", "num", formatCny(line.amount)));
        body.append(row);
      });
      const foot = element("tfoot");
      const total = element("tr");
      const head = element("th", "", panel.dataset.msgTotal);
      head.scope = "row";
      total.append(head, element("td", "num quote-total", formatCny(quote.amount)));
      foot.append(total);
      table.append(body, foot);
      let rule = quote.rule;
      if (quote.capped) rule += " · " + panel.dataset.msgCapped;
      result.replaceChildren(table, element("p", "small muted quote-rule", rule));
    }

    async function update() {
      const quantity = form.elements.quantity.value.trim();
      if (!/^[0-9]+$/.test(quantity) || Number(quantity) < 1 || Number(quantity) > 1000000000) {
        showError(panel.dataset.msgQuantity);
        return;
      }
      const mine = ++sequence;
      result.setAttribute("aria-busy", "true");
      try {
        const response = await fetch(panel.dataset.quoteUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": panel.dataset.csrf },
          body: JSON.stringify({
            product: panel.dataset.product,
            plan: Number(form.elements.plan.value),
            quantity: Number(quantity),
            purpose: form.elements.purpose.value,
          }),
        });
        const data = await response.json().catch(() => null);
        if (mine !== sequence) return;
        if (response.ok) show(data);
        else showError(messageOf(data) || panel.dataset.msgFailed);
        const url = new URL(window.location.href);
        url.searchParams.set("plan", form.elements.plan.value);
        url.searchParams.set("quantity", quantity);
        url.searchParams.set("purpose", form.elements.purpose.value);
        window.history.replaceState(null, "", url);
      } catch (error) {
        if (mine === sequence) showError(panel.dataset.msgFailed);
      } finally {
        if (mine === sequence) result.removeAttribute("aria-busy");
      }
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(update, 250);
    }

    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      update();
    });
  }

  document.querySelectorAll("[data-quote-panel]").forEach(init);
})();
