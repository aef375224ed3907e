"""Catalogue entries: gated checks, exact gradients, the static pass and cost checks (data only).

See i18n/__init__.py; issue 10's checks (``checks/gates.py``, ``gradcheck.py``,
``integrity.py``, ``cost.py``) use these.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # -- gates.py: checks that run another component's code ---------------------
    "gate.not_scored": {
        "en": "not applicable (0 points at stake): this check also ran your {components}, "
        "which fail a check of their own, so this failure may not be this check's; "
        "fix {components} first",
        "id": "tidak berlaku (0 poin dipertaruhkan): pemeriksaan ini juga menjalankan "
        "{components} Anda, yang gagal dalam pemeriksaannya sendiri, jadi kegagalan ini "
        "mungkin bukan milik pemeriksaan ini; perbaiki {components} dulu",
    },
    # -- gradcheck.py: exact gradients, two layers, repeatable answers -------------
    "expect.label.exact": {"en": "exact", "id": "eksak"},
    "gradcheck.imprecise": {
        "en": "(close, but beyond float64 rounding: the check allows {ulps} roundings. Keep "
        "the cache and every step in float64, and compute the gradient from its formula: "
        "finite differences are never this exact)",
        "id": "(dekat, tetapi melewati pembulatan float64: pemeriksaan mengizinkan {ulps} "
        "pembulatan. Simpan cache dan setiap langkah dalam float64, dan hitung gradien dari "
        "rumusnya: beda hingga tidak pernah seeksak ini)",
    },
    "gradcheck.second_layer": {
        "en": "[the second of two layers used in one pass]",
        "id": "[layer kedua dari dua layer yang dipakai dalam satu lintasan]",
    },
    "gradcheck.not_repeatable": {
        "en": "{name} changes when backward is called again on the same layer: after one "
        "forward, backward(d) must give what a fresh layer gives, whatever calls came "
        "before; leave the cache as forward stored it and compute into new arrays",
        "id": "{name} berubah ketika backward dipanggil lagi pada layer yang sama: setelah "
        "satu forward, backward(d) harus memberi hasil yang sama dengan layer baru, apa pun "
        "panggilan sebelumnya; biarkan cache seperti yang disimpan forward dan hitung ke "
        "array baru",
    },
    # -- integrity.py: the static pass -----------------------------------------------
    "static.where": {
        "en": "{file}, line {line}, in {component}'s code",
        "id": "{file}, baris {line}, dalam kode {component}",
    },
    "static.complex": {
        "en": "complex arithmetic ({what}): complex-step differentiation is a numerical "
        "method, not backpropagation",
        "id": "aritmetika bilangan kompleks ({what}): diferensiasi complex-step adalah metode "
        "numerik, bukan backpropagation",
    },
    "static.import": {
        "en": "uses {what}, which differentiates for you (an automatic or numerical "
        "differentiation library, or the grader's own code)",
        "id": "memakai {what}, yang menghitung turunan untuk Anda (pustaka diferensiasi "
        "otomatis atau numerik, atau kode milik autograder)",
    },
    "static.forward": {
        "en": "backward runs forward on changed inputs, or hands it on ({what}): that is "
        "numerical differentiation",
        "id": "backward menjalankan forward pada input yang diubah, atau meneruskannya "
        "({what}): itu diferensiasi numerik",
    },
    "static.dynamic": {
        "en": "runs code the grader cannot read ({what})",
        "id": "menjalankan kode yang tidak dapat dibaca autograder ({what})",
    },
    "static.more": {"en": "\n(and {count} more)", "id": "\n(dan {count} lagi)"},
    "static.missing": {
        "en": "{file} is missing, so its code cannot be checked",
        "id": "{file} tidak ada, sehingga kodenya tidak dapat diperiksa",
    },
    "static.unparsable": {
        "en": "{file} has a syntax error at line {line}, so its code cannot be checked",
        "id": "{file} memiliki kesalahan sintaks di baris {line}, sehingga kodenya tidak "
        "dapat diperiksa",
    },
    # -- cost.py: what a call costs ------------------------------------------------------
    # No measured seconds in these sentences: a grade reads the same on every run.
    "cost.too_slow": {
        "en": "{what} used more than {factor:.0f} times the CPU time backpropagation takes "
        "on the same call: backpropagation costs a few forward passes whatever the size, "
        "while numerical differentiation (finite differences, complex steps, one pass per "
        "input) costs one forward pass per input; {expected}",
        "id": "{what} memakai lebih dari {factor:.0f} kali waktu CPU backpropagation pada "
        "panggilan yang sama: backpropagation hanya butuh beberapa forward pass berapa pun "
        "ukurannya, sedangkan diferensiasi numerik (beda hingga, complex step, satu lintasan "
        "per input) butuh satu forward pass per input; {expected}",
    },
    "cost.timeout": {
        "en": "{what} did not finish within {factor:.0f} times the CPU time backpropagation "
        "takes on the same call: backpropagation costs a few forward passes whatever the "
        "size, while numerical differentiation (finite differences, complex steps, one pass "
        "per input) costs one forward pass per input; {expected}",
        "id": "{what} tidak selesai dalam {factor:.0f} kali waktu CPU backpropagation pada "
        "panggilan yang sama: backpropagation hanya butuh beberapa forward pass berapa pun "
        "ukurannya, sedangkan diferensiasi numerik (beda hingga, complex step, satu lintasan "
        "per input) butuh satu forward pass per input; {expected}",
    },
    # -- the backprop assignment's integrity and cost sentences -----------------------
    "backprop.expected_layer": {
        "en": "compute each gradient by the chain rule (upstream gradient times local "
        "gradient) from the values forward cached",
        "id": "hitung setiap gradien dengan aturan rantai (gradien dari hulu dikali gradien "
        "lokal) dari nilai yang disimpan forward",
    },
    "backprop.expected_trainer": {
        "en": "compute the gradients with the layers' backward passes (or the chain rule "
        "written out), never numerically",
        "id": "hitung gradien dengan backward dari layer-layer (atau aturan rantai yang "
        "dituliskan), jangan secara numerik",
    },
    "backprop.integrity_needs_values": {
        "en": "backpropagation is credited once the gradients are right; for now: {reason}",
        "id": "backpropagation baru dinilai setelah gradiennya benar; untuk saat ini: {reason}",
    },
    "static.extended": {
        "en": "extended-precision arithmetic ({what}): float64 is all backpropagation needs; "
        "extended precision is what makes a numerical difference quotient look exact",
        "id": "aritmetika presisi diperluas ({what}): backpropagation cukup dengan float64; "
        "presisi diperluas membuat hasil bagi selisih numerik tampak eksak",
    },
}
