"""Catalogue entries: diagnosed mistakes (data only; see i18n.py and diagnosis.py).

Each mistake has two entries: ``diag.<key>``, the sentence a student reads
under a failed check, and ``mistake.<key>``, a short label for the class
summary's table of common mistakes.
"""

from __future__ import annotations

SENTENCES: dict[str, dict[str, str]] = {
    "how": {"en": "; compute it as {formula}", "id": "; hitung sebagai {formula}"},
    "same_for": {"en": " (the same for {names})", "id": " (sama halnya untuk {names})"},
    "unmatched": {
        "en": "no known mistake matches {name}: against the expected gradient its cosine "
        "similarity is {cosine:.3f} and its size {scale:.3g} times; the worst element is "
        "{where} = {got:.6g} instead of {expected:.6g}",
        "id": "tidak ada kesalahan umum yang cocok dengan {name}: dibandingkan gradien yang "
        "diharapkan, kemiripan kosinusnya {cosine:.3f} dan besarnya {scale:.3g} kali; elemen "
        "terburuk adalah {where} = {got:.6g}, seharusnya {expected:.6g}",
    },
    "upstream_modified": {
        "en": "backward changed the upstream gradient it was given in place (e.g. dx = d "
        "followed by dx *= ...), so later uses of it see changed values; compute each "
        "gradient into a new array (dx = d * ...)",
        "id": "backward mengubah gradien dari hulu yang diterimanya secara in-place (mis. "
        "dx = d lalu dx *= ...), sehingga pemakaian berikutnya melihat nilai yang sudah "
        "berubah; hitung setiap gradien ke array baru (dx = d * ...)",
    },
    "input_modified": {
        "en": "backward changed the cached input {input} in place (e.g. an in-place *= on "
        "self.{input} or on an alias of it), so the layer no longer remembers its forward; "
        "compute gradients into new arrays",
        "id": "backward mengubah input {input} yang disimpan secara in-place (mis. *= "
        "in-place pada self.{input} atau aliasnya), sehingga layer tidak lagi mengingat "
        "forward-nya; hitung gradien ke array baru",
    },
    "cache_modified": {
        "en": "calling backward twice with the same upstream gradient gives different "
        "answers: backward changes what the layer cached (e.g. self.a *= ...); leave the "
        "cache as forward stored it and compute into new arrays",
        "id": "memanggil backward dua kali dengan gradien hulu yang sama memberi jawaban "
        "berbeda: backward mengubah nilai yang disimpan layer (mis. self.a *= ...); biarkan "
        "cache seperti yang disimpan forward dan hitung ke array baru",
    },
    "swapped": {
        "en": "the gradients come back swapped: you return ({got}) where ({names}) belongs{how}",
        "id": "gradiennya tertukar: Anda mengembalikan ({got}) padahal seharusnya ({names}){how}",
    },
    "swap_how": {
        "en": "; each input's gradient uses the other input: dx = dz * y, dy = dz * x",
        "id": "; gradien setiap input memakai input yang lain: dx = dz * y, dy = dz * x",
    },
    "wrong_order": {
        "en": "{layer}.backward returns its gradients in the wrong order: ({got}) instead of "
        "({names}), the order in which forward takes its inputs ({inputs})",
        "id": "{layer}.backward mengembalikan gradien dalam urutan yang salah: ({got}), "
        "bukan ({names}), yaitu urutan input forward ({inputs})",
    },
    "transposed": {
        "en": "{name} looks transposed: it must have {input}'s shape {shape}{how}",
        "id": "{name} tampaknya tertranspos: bentuknya harus sama dengan bentuk {input}, "
        "yaitu {shape}{how}",
    },
    "missing_transpose": {
        "en": "{name} multiplies matrices whose shapes do not line up: a transpose is "
        "missing; {name} must have {input}'s shape {shape}{how}",
        "id": "{name} mengalikan matriks yang bentuknya tidak cocok: ada transpos yang "
        "terlewat; {name} harus berbentuk sama dengan {input}, yaitu {shape}{how}",
    },
    "missing_transpose_somewhere": {
        "en": "a matrix product in backward multiplies shapes that do not line up, so a "
        "transpose is missing; each gradient must have its input's shape ({shapes})",
        "id": "sebuah perkalian matriks di backward memakai bentuk yang tidak cocok, jadi ada "
        "transpos yang terlewat; setiap gradien harus berbentuk sama dengan inputnya "
        "({shapes})",
    },
    "not_summed": {
        "en": "{name} has one row per sample: {input} is added to each of the N = {n} rows, so "
        "sum the upstream gradient over the batch (axis 0) to get {input}'s shape {shape}",
        "id": "{name} berisi satu baris per sampel: {input} ditambahkan ke setiap baris dari "
        "N = {n} baris, jadi jumlahkan gradien hulu sepanjang batch (axis 0) agar berbentuk "
        "sama dengan {input}, yaitu {shape}",
    },
    "wrong_axis": {
        "en": "{name} is summed over the wrong axis, giving one entry per sample; sum the "
        "upstream gradient over the batch (axis 0) to get {input}'s shape {shape}",
        "id": "{name} dijumlahkan pada axis yang salah sehingga berisi satu nilai per sampel; "
        "jumlahkan gradien hulu sepanjang batch (axis 0) agar berbentuk sama dengan {input}, "
        "yaitu {shape}",
    },
    "averaged": {
        "en": "{name} looks averaged over the batch: {input} is added to each of the N = {n} "
        "rows, so its gradient is the sum over the rows, not the mean",
        "id": "{name} tampaknya dirata-ratakan sepanjang batch: {input} ditambahkan ke setiap "
        "baris dari N = {n} baris, jadi gradiennya adalah jumlah semua baris, bukan rata-ratanya",
    },
    "sign": {
        "en": "{name} has the wrong sign: it is exactly minus the right gradient; check the "
        "order of a subtraction (1 - a, a - y) or a stray minus sign",
        "id": "tanda {name} terbalik: nilainya tepat minus gradien yang benar; periksa urutan "
        "pengurangan (1 - a, a - y) atau tanda minus yang tidak perlu",
    },
    "divided_by_n": {
        "en": "{name} is divided by the batch size N = {n}: the loss here is a sum over the "
        "samples, not a mean, so do not divide",
        "id": "{name} dibagi dengan ukuran batch N = {n}: loss di sini adalah jumlah atas "
        "sampel, bukan rata-rata, jadi jangan dibagi",
    },
    "times_n": {
        "en": "{name} is N = {n} times too large: do not multiply by the batch size; the sum "
        "over the rows already counts every sample",
        "id": "{name} terlalu besar N = {n} kali: jangan dikalikan dengan ukuran batch; "
        "penjumlahan atas baris sudah menghitung setiap sampel",
    },
    "no_upstream": {
        "en": "{name} ignores the upstream gradient: it is the local gradient alone; multiply "
        "the local gradient by the upstream gradient (chain rule)",
        "id": "{name} mengabaikan gradien dari hulu: nilainya hanya gradien lokal; kalikan "
        "gradien lokal dengan gradien dari hulu (aturan rantai)",
    },
    "adds_upstream": {
        "en": "{name} adds the upstream gradient to the local gradient; the chain rule "
        "multiplies them",
        "id": "{name} menjumlahkan gradien hulu dengan gradien lokal; aturan rantai "
        "mengalikan keduanya",
    },
    "other_gradient": {
        "en": "{name} holds the value {other} should have: check which cached input each "
        "gradient uses",
        "id": "{name} berisi nilai yang seharusnya milik {other}: periksa input tersimpan mana "
        "yang dipakai setiap gradien",
    },
    "stale_cache": {
        "en": "{name} answers for an earlier forward call: backward must use the inputs of the "
        "most recent forward, so store them on self in every forward",
        "id": "{name} menjawab untuk pemanggilan forward sebelumnya: backward harus memakai "
        "input forward yang terakhir, jadi simpan input itu di self pada setiap forward",
    },
    "derivative_of_input": {
        "en": "{name} applies the sigmoid derivative to the input v: the local gradient is "
        "a * (1 - a) with a = sigmoid(v), the output cached by forward, not v * (1 - v)",
        "id": "{name} menerapkan turunan sigmoid pada input v: gradien lokalnya adalah "
        "a * (1 - a) dengan a = sigmoid(v), keluaran yang disimpan forward, bukan v * (1 - v)",
    },
    "derivative_twice": {
        "en": "{name} applies the sigmoid twice: the cached a is already sigmoid(v), so the "
        "local gradient is a * (1 - a), not sigmoid(a) * (1 - sigmoid(a))",
        "id": "{name} menerapkan sigmoid dua kali: a yang disimpan sudah berupa sigmoid(v), "
        "jadi gradien lokalnya adalah a * (1 - a), bukan sigmoid(a) * (1 - sigmoid(a))",
    },
    # -- the trainer -------------------------------------------------------------------------
    "ascent": {
        "en": "train_xor climbs the loss: its trajectory matches gradient ascent; with "
        "dL/da2 = a2 - y, update p -= lr * dL/dp",
        "id": "train_xor justru menaikkan loss: lintasannya cocok dengan gradient ascent; "
        "dengan dL/da2 = a2 - y, perbarui p -= lr * dL/dp",
    },
    "biases_frozen": {
        "en": "train_xor never updates the biases: its trajectory matches training W1 and W2 "
        "only; update b1 and b2 too (b -= lr * db)",
        "id": "train_xor tidak pernah memperbarui bias: lintasannya cocok dengan melatih W1 dan "
        "W2 saja; perbarui juga b1 dan b2 (b -= lr * db)",
    },
    "w2_first": {
        "en": "train_xor updates W2 before layer 1's gradient is computed, so the error goes "
        "back through the new W2; compute every gradient first, then update all four "
        "parameters",
        "id": "train_xor memperbarui W2 sebelum gradien layer 1 dihitung, sehingga galat "
        "dirambatkan lewat W2 yang baru; hitung semua gradien dulu, baru perbarui keempat "
        "parameter",
    },
    "mean_loss": {
        "en": "train_xor uses the mean of the squared errors; this assignment's loss is "
        "L = 0.5 * sum((a2 - y) ** 2), whose gradient at the output is a2 - y",
        "id": "train_xor memakai rata-rata kuadrat galat; loss tugas ini adalah "
        "L = 0.5 * sum((a2 - y) ** 2), yang gradiennya di keluaran adalah a2 - y",
    },
    "loss_after_update": {
        "en": "train_xor records each loss after the update: losses[t] must be the loss "
        "before update t (losses[0] is the loss of the params it was given)",
        "id": "train_xor mencatat loss setelah pembaruan: losses[t] harus berupa loss sebelum "
        "pembaruan ke-t (losses[0] adalah loss dari params yang diberikan)",
    },
    "gradient_divided_by_n": {
        "en": "train_xor divides the gradients by the number of samples: the loss is a sum "
        "over the samples, so use the gradients as backward returns them",
        "id": "train_xor membagi gradien dengan jumlah sampel: loss adalah jumlah atas sampel, "
        "jadi pakai gradien apa adanya seperti yang dikembalikan backward",
    },
    "no_output_derivative": {
        "en": "train_xor skips the output sigmoid's backward: it sends a2 - y straight into "
        "the last AffineLayer; pass it through the output SigmoidLayer's backward first",
        "id": "train_xor melewatkan backward sigmoid keluaran: a2 - y langsung dikirim ke "
        "AffineLayer terakhir; lewatkan dulu melalui backward SigmoidLayer keluaran",
    },
    "per_sample": {
        "en": "train_xor updates after every sample: use full-batch gradient descent, one "
        "update per epoch from the gradient of the loss over all samples",
        "id": "train_xor memperbarui setelah setiap sampel: gunakan full-batch gradient "
        "descent, satu pembaruan per epoch dari gradien loss atas semua sampel",
    },
    "unchanged": {
        "en": "train_xor returns the params it was given, unchanged: update copies of the "
        "arrays every epoch and return the updated copies",
        "id": "train_xor mengembalikan params yang diberikan tanpa perubahan: perbarui salinan "
        "array setiap epoch dan kembalikan salinan yang sudah diperbarui",
    },
    "not_trained": {
        "en": "train_xor's losses do not come from training: losses[0] is {got:.6g} but the "
        "loss of the params it was given is {expected:.6g}; every epoch, run the forward "
        "pass, record its loss, backpropagate and update",
        "id": "nilai losses dari train_xor tidak berasal dari pelatihan: losses[0] bernilai "
        "{got:.6g} padahal loss dari params yang diberikan adalah {expected:.6g}; setiap "
        "epoch, jalankan forward, catat loss-nya, lakukan backpropagation, lalu perbarui",
    },
    "trainer_unmatched": {
        "en": "no known trainer mistake matches: the change your training makes to the "
        "weights has cosine similarity {cosine:.3f} with gradient descent's and {scale:.3g} "
        "times its size; {where} differs most, changing by {got:.6g} instead of "
        "{expected:.6g} (train_xor uses your layers: if a layer check fails too, fix that "
        "first)",
        "id": "tidak ada kesalahan pelatihan umum yang cocok: perubahan bobot oleh pelatihan "
        "Anda memiliki kemiripan kosinus {cosine:.3f} dengan gradient descent dan besarnya "
        "{scale:.3g} kali; selisih terbesar ada di {where}, berubah {got:.6g}, seharusnya "
        "{expected:.6g} (train_xor memakai layer Anda: jika pemeriksaan layer juga gagal, "
        "perbaiki itu dulu)",
    },
}

LABELS: dict[str, dict[str, str]] = {
    "unmatched": {"en": "no known mistake (gradient)", "id": "kesalahan tak dikenal (gradien)"},
    "upstream_modified": {
        "en": "upstream gradient modified in place",
        "id": "gradien hulu diubah in-place",
    },
    "input_modified": {"en": "cached input modified in place", "id": "input tersimpan diubah"},
    "cache_modified": {"en": "cache modified by backward", "id": "cache diubah oleh backward"},
    "swapped": {"en": "gradients swapped", "id": "gradien tertukar"},
    "wrong_order": {"en": "gradients in the wrong order", "id": "urutan gradien salah"},
    "transposed": {"en": "gradient transposed", "id": "gradien tertranspos"},
    "missing_transpose": {"en": "missing transpose", "id": "transpos terlewat"},
    "missing_transpose_somewhere": {"en": "missing transpose", "id": "transpos terlewat"},
    "not_summed": {"en": "not summed over the batch", "id": "tidak dijumlahkan atas batch"},
    "wrong_axis": {"en": "summed over the wrong axis", "id": "dijumlahkan pada axis salah"},
    "averaged": {"en": "averaged instead of summed", "id": "dirata-ratakan, bukan dijumlahkan"},
    "sign": {"en": "wrong sign", "id": "tanda terbalik"},
    "divided_by_n": {"en": "divided by N", "id": "dibagi N"},
    "times_n": {"en": "multiplied by N", "id": "dikali N"},
    "no_upstream": {"en": "upstream gradient not multiplied in", "id": "gradien hulu tidak dikali"},
    "adds_upstream": {"en": "upstream gradient added", "id": "gradien hulu dijumlahkan"},
    "other_gradient": {"en": "another input's gradient", "id": "gradien milik input lain"},
    "stale_cache": {"en": "stale cache", "id": "cache usang"},
    "derivative_of_input": {
        "en": "sigmoid derivative applied to v",
        "id": "turunan sigmoid diterapkan pada v",
    },
    "derivative_twice": {
        "en": "sigmoid derivative applied to sigma(a)",
        "id": "turunan sigmoid diterapkan pada sigma(a)",
    },
    "ascent": {"en": "gradient ascent", "id": "gradient ascent"},
    "biases_frozen": {"en": "biases not updated", "id": "bias tidak diperbarui"},
    "w2_first": {
        "en": "W2 updated before layer 1's gradient",
        "id": "W2 diperbarui sebelum gradien layer 1",
    },
    "mean_loss": {"en": "mean instead of 1/2 sum loss", "id": "loss rata-rata, bukan 1/2 jumlah"},
    "loss_after_update": {
        "en": "loss recorded after the update",
        "id": "loss dicatat setelah pembaruan",
    },
    "gradient_divided_by_n": {"en": "gradients divided by N", "id": "gradien dibagi N"},
    "no_output_derivative": {
        "en": "output sigmoid's backward skipped",
        "id": "backward sigmoid keluaran dilewati",
    },
    "per_sample": {"en": "per-sample updates", "id": "pembaruan per sampel"},
    "unchanged": {"en": "weights not updated", "id": "bobot tidak diperbarui"},
    "not_trained": {"en": "weights not trained", "id": "bobot tidak dilatih"},
    "trainer_unmatched": {
        "en": "no known mistake (training)",
        "id": "kesalahan tak dikenal (pelatihan)",
    },
}

MESSAGES: dict[str, dict[str, str]] = {
    **{f"diag.{key}": entry for key, entry in SENTENCES.items()},
    **{f"mistake.{key}": entry for key, entry in LABELS.items()},
}
