"""Catalogue entries of the neuron assignment: its checks' messages and titles (data only).

The public and hidden checks' messages (``neuron.*``, the hidden ones one
sentence each, with no hidden value) and the public checks' titles
(``check.<name>``, as in pages.py). Its diagnoses are in neuron_diagnosis.py.
"""

from __future__ import annotations

CHECKS: dict[str, dict[str, str]] = {
    # -- public_checks.py (neuron) ------------------------------------------------
    "neuron.on_slides": {
        "en": "the slides' four samples, w = (0.5, 0.7), b = 0",
        "id": "empat sampel di slide, w = (0.5, 0.7), b = 0",
    },
    "neuron.on_random": {
        "en": "random X of shape ({n}, {d}), random w and b",
        "id": "X acak berbentuk ({n}, {d}), w dan b acak",
    },
    "neuron.on_worked": {
        "en": "the worked sample x = (-0.1, 0.2), y = 0, with w = (0.5, 0.7), b = 0",
        "id": "sampel contoh x = (-0.1, 0.2), y = 0, dengan w = (0.5, 0.7), b = 0",
    },
    "neuron.after_one_step": {
        "en": "(w1, w2, b) after one step",
        "id": "(w1, w2, b) setelah satu langkah",
    },
    "neuron.update_modified": {
        "en": "update changed the caller's {name} in place; return new values "
        "(w - lr * dw makes a new array, w -= lr * dw changes the caller's)",
        "id": "update mengubah {name} milik pemanggil secara in-place; kembalikan nilai baru "
        "(w - lr * dw membuat array baru, w -= lr * dw mengubah milik pemanggil)",
    },
    "neuron.not_losses": {
        "en": "train must return the list of losses, one float per epoch, as its third value",
        "id": "train harus mengembalikan list nilai loss, satu float per epoch, sebagai nilai "
        "ketiganya",
    },
    "neuron.losses_length": {
        "en": "losses has {count} entries after {epochs} epochs; record one per epoch",
        "id": "losses berisi {count} nilai setelah {epochs} epoch; catat satu per epoch",
    },
    "neuron.train_modified_w": {
        "en": "train changed the caller's w in place; step with update, which returns a new "
        "w, or start from a copy (w = w.copy())",
        "id": "train mengubah w milik pemanggil secara in-place; melangkahlah dengan update, "
        "yang mengembalikan w baru, atau mulai dari salinannya (w = w.copy())",
    },
    "neuron.not_learned": {
        "en": "with its default lr and epochs the trained neuron predicts {outputs} for targets "
        "{targets}; every prediction must be within 0.1 of its target",
        "id": "dengan lr dan epoch bawaannya neuron hasil pelatihan memprediksi {outputs} untuk "
        "target {targets}; setiap prediksi harus berjarak kurang dari 0.1 dari targetnya",
    },
    "neuron.losses_not_falling": {
        "en": "the recorded losses do not fall",
        "id": "nilai loss yang dicatat tidak menurun",
    },
    # -- hidden_checks.py (neuron): one sentence each, no hidden value ----------------
    "neuron.hidden.raised": {
        "en": "{function} raised {kind} on hidden inputs",
        "id": "{function} memunculkan {kind} pada input tersembunyi",
    },
    "neuron.hidden.gradients": {
        "en": "gradients differs from the reference on hidden data (one sample, one feature, "
        "or several of each), or does not return (dw, db) with dw shaped like w and db one "
        "number",
        "id": "gradients berbeda dari referensi pada data tersembunyi (satu sampel, satu "
        "fitur, atau beberapa dari masing-masing), atau tidak mengembalikan (dw, db) dengan "
        "dw berbentuk sama seperti w dan db berupa satu angka",
    },
    "neuron.hidden.saturated": {
        "en": "gradients gives NaN, infinity or wrong values when the neuron saturates (very "
        "large |v|): compute dy_hat/dv from y_hat, as y_hat * (1 - y_hat), which never "
        "overflows",
        "id": "gradients menghasilkan NaN, tak hingga, atau nilai yang salah saat neuron jenuh "
        "(|v| sangat besar): hitung dy_hat/dv dari y_hat, yaitu y_hat * (1 - y_hat), yang "
        "tidak pernah overflow",
    },
    "neuron.hidden.modified": {
        "en": "{function} changed its argument {name} in place; the caller still needs it: "
        "compute into new arrays",
        "id": "{function} mengubah argumennya {name} secara in-place; pemanggil masih "
        "membutuhkannya: hitung ke array baru",
    },
    "neuron.hidden.update": {
        "en": "update differs from the reference for hidden weights and learning rates: one "
        "step is w - lr * dw and b - lr * db, for any lr and any length of w",
        "id": "update berbeda dari referensi untuk bobot dan learning rate tersembunyi: satu "
        "langkah adalah w - lr * dw dan b - lr * db, untuk lr berapa pun dan panjang w "
        "berapa pun",
    },
    "neuron.hidden.train": {
        "en": "train does not follow gradient descent from hidden starting weights and data: "
        "every epoch records the loss, then steps with the gradients over all samples and the "
        "given lr, for exactly `epochs` epochs",
        "id": "train tidak mengikuti gradient descent dari bobot awal dan data tersembunyi: "
        "setiap epoch mencatat loss, lalu melangkah dengan gradien atas semua sampel dan lr "
        "yang diberikan, tepat sebanyak `epochs` epoch",
    },
    "neuron.hidden.learns": {
        "en": "with its default lr and epochs train does not learn a hidden linearly separable "
        "target from a hidden start: every prediction must end within 0.1 of its target",
        "id": "dengan lr dan epoch bawaannya train tidak mempelajari target tersembunyi yang "
        "terpisah secara linear dari titik awal tersembunyi: setiap prediksi akhirnya harus "
        "berjarak kurang dari 0.1 dari targetnya",
    },
}

CHECK_TITLES: dict[str, dict[str, str]] = {
    "gradients matches numerical derivatives on the slides' four samples": {
        "id": "gradients cocok dengan turunan numerik pada empat sampel di slide",
    },
    "gradients matches numerical derivatives on random data (N=6, D=3)": {
        "id": "gradients cocok dengan turunan numerik pada data acak (N=6, D=3)",
    },
    "gradients reproduces the slides' worked neuron: dL/dw = (-0.013, 0.026), dL/db = 0.13": {
        "id": "gradients mereproduksi contoh neuron di slide: dL/dw = (-0.013, 0.026), "
        "dL/db = 0.13",
    },
    "update reproduces the slides' worked step: w = (0.513, 0.674), b = -0.13": {
        "id": "update mereproduksi langkah contoh di slide: w = (0.513, 0.674), b = -0.13",
    },
    "update takes one gradient descent step for other learning rates": {
        "id": "update mengambil satu langkah gradient descent untuk learning rate lain",
    },
    "update returns a new w, leaving the w and dw it is given unmodified": {
        "id": "update mengembalikan w baru, tanpa mengubah w dan dw yang diberikan",
    },
    "train matches gradient descent after 1 epoch": {
        "id": "train cocok dengan gradient descent setelah 1 epoch",
    },
    "train matches gradient descent after 10 epochs": {
        "id": "train cocok dengan gradient descent setelah 10 epoch",
    },
    "train matches gradient descent after 100 epochs": {
        "id": "train cocok dengan gradient descent setelah 100 epoch",
    },
    "train leaves the w it is given unmodified": {
        "id": "train tidak mengubah w yang diberikan kepadanya",
    },
    "train learns the slides' dataset with its default lr and epochs": {
        "id": "train mempelajari dataset di slide dengan lr dan epoch bawaannya",
    },
}

MESSAGES: dict[str, dict[str, str]] = {
    **CHECKS,
    **{f"check.{name}": {"en": name, **titles} for name, titles in CHECK_TITLES.items()},
}
