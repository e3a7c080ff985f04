// Registration form: hide and disable the fields the chosen kind of registration does not keep
// (issue 10): an anonymous registration keeps only referens, gender and dates; a pseudonymous one
// has no identity number. Disabled fields are not sent, so what was typed stays on the page if
// another kind is chosen again. Without this script the server refuses those fields.
(function () {
  "use strict";
  var NOT_KEPT = {
    anonymous: ["personnummer", "samtycke_form", "samtycke_bekraftat", "samtycke_datum", "anmalande_part",
      "anmalande_enhet", "malgrupp", "utbildning", "tid_offentlig_forsorjning", "tid_utan_arbete",
      "forsorjning_fore", "folkbokforingskommun", "fodd_utomlands", "funktionsnedsattning", "vald_fragor",
      "fodelsear"],
    pseudonymous: ["personnummer"],
    identified: []
  };
  var MESSAGES = {
    anonymous: "Fält som en anonym registrering inte sparar är dolda: personnummer, samtycke och bakgrundsuppgifter.",
    pseudonymous: "Fältet för personnummer är dolt: en pseudonym registrering har inget personnummer.",
    identified: "Alla fält visas."
  };
  var form = document.querySelector("form[data-anonymous-form]");
  var radios = form ? form.querySelectorAll("input[type=radio][name=registreringssatt]") : [];
  if (!radios.length) { return; }
  var status = document.getElementById("anonym-status");
  function groupsOf(names) {
    var groups = [];
    names.forEach(function (name) {
      var input = form.querySelector("[name='" + name + "']");
      var group = input && input.closest(".field");
      if (group && groups.indexOf(group) < 0) { groups.push(group); }
    });
    return groups;
  }
  var all = groupsOf(NOT_KEPT.anonymous);
  function chosen() {
    var kind = "identified";
    radios.forEach(function (radio) { if (radio.checked) { kind = radio.value; } });
    return NOT_KEPT[kind] ? kind : "identified";
  }
  function apply(announce) {
    var kind = chosen();
    var hidden = groupsOf(NOT_KEPT[kind]);
    all.forEach(function (group) {
      var hide = hidden.indexOf(group) >= 0;
      group.hidden = hide;
      group.querySelectorAll("input, select, textarea").forEach(function (control) {
        control.disabled = hide;
      });
    });
    if (status && announce) { status.textContent = MESSAGES[kind]; }
  }
  radios.forEach(function (radio) { radio.addEventListener("change", function () { apply(true); }); });
  apply(false);
})();
