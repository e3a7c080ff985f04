// Registration form: when "Anonym deltagare" is ticked, hide and disable the fields an anonymous
// registration does not keep (issue 10). Disabled fields are not sent, so what was typed stays on
// the page if the box is unticked again. Without this script the server refuses those fields.
(function () {
  "use strict";
  var NOT_KEPT = ["personnummer", "samtycke_form", "samtycke_bekraftat", "samtycke_datum", "anmalande_part",
    "anmalande_enhet", "malgrupp", "utbildning", "tid_offentlig_forsorjning", "tid_utan_arbete",
    "forsorjning_fore", "folkbokforingskommun", "fodd_utomlands", "funktionsnedsattning", "vald_fragor",
    "fodelsear"];
  var form = document.querySelector("form[data-anonymous-form]");
  var box = form && form.querySelector("input[type=checkbox][name=anonym]");
  if (!box) { return; }
  var status = document.getElementById("anonym-status");
  var groups = [];
  NOT_KEPT.forEach(function (name) {
    var input = form.querySelector("[name='" + name + "']");
    var group = input && input.closest(".field");
    if (group && groups.indexOf(group) < 0) { groups.push(group); }
  });
  function apply(announce) {
    var anonymous = box.checked;
    groups.forEach(function (group) {
      group.hidden = anonymous;
      group.querySelectorAll("input, select, textarea").forEach(function (control) {
        control.disabled = anonymous;
      });
    });
    if (status && announce) {
      status.textContent = anonymous
        ? "Fält som en anonym registrering inte sparar är dolda: personnummer, samtycke och bakgrundsuppgifter."
        : "Alla fält visas igen.";
    }
  }
  box.addEventListener("change", function () { apply(true); });
  apply(box.checked);
})();
