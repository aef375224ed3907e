"""Catalogue entries of the neuron assignment: its diagnosed mistakes (data only).

As in diagnosis.py, each mistake has ``diag.<key>``, the sentence under a
failed check, and ``mistake.<key>``, a short label for the class summary.
"""

from __future__ import annotations

SENTENCES: dict[str, dict[str, str]] = {
    # -- the neuron assignment: its gradients ------------------------------------------------
    "neuron.sign": {
        "en": "{name} has the wrong sign: it is exactly minus the right gradient; start the "
        "chain from dL/dy_hat = y_hat - y, not y - y_hat",
        "id": "tanda {name} terbalik: nilainya tepat minus gradien yang benar; mulai rantai "
        "dari dL/dy_hat = y_hat - y, bukan y - y_hat",
    },
    "neuron.doubled": {
        "en": "{name} is twice the right gradient: with L = 0.5 * sum((y_hat - y) ** 2) the 2 "
        "of the square cancels the 0.5, so dL/dy_hat = y_hat - y, not 2 * (y_hat - y)",
        "id": "{name} bernilai dua kali gradien yang benar: dengan "
        "L = 0.5 * sum((y_hat - y) ** 2) angka 2 dari kuadrat meniadakan 0.5, jadi "
        "dL/dy_hat = y_hat - y, bukan 2 * (y_hat - y)",
    },
    "neuron.no_sigmoid_derivative": {
        "en": "{name} leaves out the sigmoid's derivative: multiply y_hat - y by "
        "dy_hat/dv = y_hat * (1 - y_hat) before going on to w and b (chain rule)",
        "id": "{name} tidak menyertakan turunan sigmoid: kalikan y_hat - y dengan "
        "dy_hat/dv = y_hat * (1 - y_hat) sebelum lanjut ke w dan b (aturan rantai)",
    },
    "neuron.derivative_of_v": {
        "en": "{name} applies the sigmoid's derivative to v: dy_hat/dv = y_hat * (1 - y_hat) "
        "with y_hat = sigmoid(v), not v * (1 - v)",
        "id": "{name} menerapkan turunan sigmoid pada v: dy_hat/dv = y_hat * (1 - y_hat) "
        "dengan y_hat = sigmoid(v), bukan v * (1 - v)",
    },
    "neuron.no_error": {
        "en": "{name} leaves out dL/dy_hat = y_hat - y: the chain starts at the loss, so "
        "multiply the sigmoid's derivative by y_hat - y",
        "id": "{name} tidak menyertakan dL/dy_hat = y_hat - y: rantai dimulai dari loss, jadi "
        "kalikan turunan sigmoid dengan y_hat - y",
    },
    "neuron.no_x": {
        "en": "{name} leaves out dv/dw = x: each weight's gradient multiplies every sample's "
        "dL/dv by that sample's input to the weight, then sums over the samples",
        "id": "{name} tidak menyertakan dv/dw = x: gradien setiap bobot mengalikan dL/dv "
        "setiap sampel dengan input sampel itu untuk bobot tersebut, lalu menjumlahkannya atas "
        "semua sampel",
    },
    "neuron.swapped": {
        "en": "gradients returns (db, dw): return them in the order (dw, db)",
        "id": "gradients mengembalikan (db, dw): kembalikan dengan urutan (dw, db)",
    },
    "neuron.db_not_summed": {
        "en": "db has one value per sample: b is added to the v of each of the N = {n} samples, "
        "so its gradient is the sum of their dL/dv, one number",
        "id": "db berisi satu nilai per sampel: b ditambahkan ke v dari setiap sampel "
        "(N = {n}), jadi gradiennya adalah jumlah dL/dv semuanya, satu angka",
    },
    # -- the neuron assignment: one update step -------------------------------------------
    "neuron.update_ascent": {
        "en": "update climbs the loss: it adds lr * dw; gradient descent subtracts, "
        "w - lr * dw (and b - lr * db)",
        "id": "update justru menaikkan loss: ia menambahkan lr * dw; gradient descent "
        "mengurangkan, w - lr * dw (dan b - lr * db)",
    },
    "neuron.update_bias": {
        "en": "update never changes b: step the bias too, b - lr * db",
        "id": "update tidak pernah mengubah b: perbarui juga bias, b - lr * db",
    },
    "neuron.update_lr_ignored": {
        "en": "update ignores lr: its step is w - dw; scale the gradient by the learning rate, "
        "w - lr * dw",
        "id": "update mengabaikan lr: langkahnya w - dw; skalakan gradien dengan learning "
        "rate, w - lr * dw",
    },
    "neuron.update_unchanged": {
        "en": "update returns w and b unchanged: return the stepped values",
        "id": "update mengembalikan w dan b tanpa perubahan: kembalikan nilai setelah langkah",
    },
    "neuron.update_in_place": {
        "en": "update changes its arguments in place (w -= ...), so the caller's arrays change "
        "with them; compute a new array, w - lr * dw",
        "id": "update mengubah argumennya secara in-place (w -= ...), sehingga array milik "
        "pemanggil ikut berubah; hitung array baru, w - lr * dw",
    },
    # -- the neuron assignment: the training loop -----------------------------------------
    "neuron.ascent": {
        "en": "train climbs the loss: its trajectory matches gradient ascent; with "
        "dL/dy_hat = y_hat - y, step w - lr * dw",
        "id": "train justru menaikkan loss: lintasannya cocok dengan gradient ascent; dengan "
        "dL/dy_hat = y_hat - y, langkahnya w - lr * dw",
    },
    "neuron.bias_frozen": {
        "en": "train never changes b: its trajectory matches training w alone; step b too",
        "id": "train tidak pernah mengubah b: lintasannya cocok dengan melatih w saja; "
        "perbarui juga b",
    },
    "neuron.mean_loss": {
        "en": "train uses the mean of the squared errors; this assignment's loss is "
        "L = 0.5 * sum((y_hat - y) ** 2), whose gradient gradients returns",
        "id": "train memakai rata-rata kuadrat galat; loss tugas ini adalah "
        "L = 0.5 * sum((y_hat - y) ** 2), yang gradiennya dikembalikan gradients",
    },
    "neuron.loss_after_update": {
        "en": "train records each loss after the update: losses[t] must be the loss before "
        "update t (losses[0] is the loss of the w and b it was given)",
        "id": "train mencatat loss setelah pembaruan: losses[t] harus berupa loss sebelum "
        "pembaruan ke-t (losses[0] adalah loss dari w dan b yang diberikan)",
    },
    "neuron.gradient_divided_by_n": {
        "en": "train divides the gradients by the number of samples: the loss is a sum over "
        "the samples, so step with the gradients as gradients returns them",
        "id": "train membagi gradien dengan jumlah sampel: loss adalah jumlah atas sampel, "
        "jadi melangkahlah dengan gradien apa adanya seperti yang dikembalikan gradients",
    },
    "neuron.per_sample": {
        "en": "train updates after every sample: use full-batch gradient descent, one update "
        "per epoch from the gradients over all samples",
        "id": "train memperbarui setelah setiap sampel: gunakan full-batch gradient descent, "
        "satu pembaruan per epoch dari gradien atas semua sampel",
    },
    "neuron.default_lr": {
        "en": "train ignores its lr argument: its trajectory matches the default learning "
        "rate; pass lr on to update",
        "id": "train mengabaikan argumen lr: lintasannya cocok dengan learning rate bawaan; "
        "teruskan lr ke update",
    },
    "neuron.unchanged": {
        "en": "train returns the w and b it was given, unchanged: step them every epoch and "
        "return the last ones",
        "id": "train mengembalikan w dan b yang diberikan tanpa perubahan: perbarui keduanya "
        "setiap epoch dan kembalikan yang terakhir",
    },
    "neuron.not_trained": {
        "en": "train's losses do not come from training: losses[0] is {got:.6g} but the loss "
        "of the w and b it was given is {expected:.6g}; every epoch, record "
        "loss(X, y, w, b), then compute the gradients and step",
        "id": "nilai losses dari train tidak berasal dari pelatihan: losses[0] bernilai "
        "{got:.6g} padahal loss dari w dan b yang diberikan adalah {expected:.6g}; setiap "
        "epoch, catat loss(X, y, w, b), lalu hitung gradien dan lakukan satu langkah",
    },
    "neuron.trainer_unmatched": {
        "en": "no known training mistake matches: the change your training makes to (w, b) "
        "has cosine similarity {cosine:.3f} with gradient descent's and {scale:.3g} times its "
        "size; {where} differs most, changing by {got:.6g} instead of {expected:.6g}",
        "id": "tidak ada kesalahan pelatihan umum yang cocok: perubahan (w, b) oleh pelatihan "
        "Anda memiliki kemiripan kosinus {cosine:.3f} dengan gradient descent dan besarnya "
        "{scale:.3g} kali; selisih terbesar ada di {where}, berubah {got:.6g}, seharusnya "
        "{expected:.6g}",
    },
}

LABELS: dict[str, dict[str, str]] = {
    "neuron.sign": {"en": "wrong sign (y - y_hat)", "id": "tanda terbalik (y - y_hat)"},
    "neuron.doubled": {
        "en": "gradient doubled (the 1/2 dropped)",
        "id": "gradien dua kali lipat (1/2 hilang)",
    },
    "neuron.no_sigmoid_derivative": {
        "en": "sigmoid derivative left out",
        "id": "turunan sigmoid terlewat",
    },
    "neuron.derivative_of_v": {
        "en": "sigmoid derivative applied to v",
        "id": "turunan sigmoid diterapkan pada v",
    },
    "neuron.no_error": {"en": "y_hat - y left out", "id": "y_hat - y terlewat"},
    "neuron.no_x": {"en": "x left out of dw", "id": "x terlewat dari dw"},
    "neuron.swapped": {"en": "(db, dw) returned", "id": "mengembalikan (db, dw)"},
    "neuron.db_not_summed": {
        "en": "db not summed over the samples",
        "id": "db tidak dijumlahkan atas sampel",
    },
    "neuron.update_ascent": {"en": "update adds the gradient", "id": "update menambahkan gradien"},
    "neuron.update_bias": {"en": "bias not stepped", "id": "bias tidak diperbarui"},
    "neuron.update_lr_ignored": {
        "en": "learning rate ignored in update",
        "id": "learning rate diabaikan di update",
    },
    "neuron.update_unchanged": {
        "en": "update returns its input",
        "id": "update mengembalikan inputnya",
    },
    "neuron.update_in_place": {
        "en": "update modifies w in place",
        "id": "update mengubah w secara in-place",
    },
    "neuron.ascent": {"en": "gradient ascent", "id": "gradient ascent"},
    "neuron.bias_frozen": {"en": "bias never trained", "id": "bias tidak pernah dilatih"},
    "neuron.mean_loss": {
        "en": "mean instead of 1/2 sum loss",
        "id": "loss rata-rata, bukan 1/2 jumlah",
    },
    "neuron.loss_after_update": {
        "en": "loss recorded after the update",
        "id": "loss dicatat setelah pembaruan",
    },
    "neuron.gradient_divided_by_n": {"en": "gradients divided by N", "id": "gradien dibagi N"},
    "neuron.per_sample": {"en": "per-sample updates", "id": "pembaruan per sampel"},
    "neuron.default_lr": {"en": "lr argument ignored", "id": "argumen lr diabaikan"},
    "neuron.unchanged": {"en": "weights not updated", "id": "bobot tidak diperbarui"},
    "neuron.not_trained": {"en": "weights not trained", "id": "bobot tidak dilatih"},
    "neuron.trainer_unmatched": {
        "en": "no known mistake (training)",
        "id": "kesalahan tak dikenal (pelatihan)",
    },
}

MESSAGES: dict[str, dict[str, str]] = {
    **{f"diag.{key}": entry for key, entry in SENTENCES.items()},
    **{f"mistake.{key}": entry for key, entry in LABELS.items()},
}
