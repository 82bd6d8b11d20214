// Registration form: fold the public-data and personal-data fieldsets the chosen
// data source type does not need. Without JavaScript every fieldset stays open.
(function () {
  const select = document.querySelector("[data-source-type]");
  if (!select) return;
  const fieldsets = document.querySelectorAll("[data-source-fieldset]");

  function update() {
    fieldsets.forEach((fieldset) => {
      const body = fieldset.querySelector("[data-fieldset-body]");
      const skip = fieldset.querySelector("[data-fieldset-skip]");
      const hasErrors = fieldset.querySelector(".errorlist") !== null;
      const forced = fieldset.dataset.forced === "1";
      const needed = !select.value || select.value === fieldset.dataset.sourceFieldset;
      const fold = !needed && !hasErrors && !forced;
      body.hidden = fold;
      if (skip) skip.hidden = !fold;
    });
  }

  fieldsets.forEach((fieldset) => {
    const show = fieldset.querySelector("[data-fieldset-show]");
    if (show) {
      show.addEventListener("click", () => {
        fieldset.dataset.forced = "1";
        update();
      });
    }
  });
  select.addEventListener("change", update);
  update();
})();
