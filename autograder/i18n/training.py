"""Catalogue entries: a trainer's diagnosed mistakes (data only; see i18n and checks.trainer).

Each mistake has ``diag.<key>``, the sentence under a failed trajectory
check, and ``mistake.<key>``, its label in the class summary. ``trainer.*``
are the pieces of the sentence that says plainly how a run differs when no
known mistake reproduces it.
"""

from __future__ import annotations

SENTENCES: dict[str, dict[str, str]] = {
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
        "en": "train_xor's losses do not come from training: losses[0] is {got} but the "
        "loss of the params it was given is {expected}; every epoch, run the forward pass, "
        "record its loss, backpropagate and update",
        "id": "nilai losses dari train_xor tidak berasal dari pelatihan: losses[0] bernilai "
        "{got} padahal loss dari params yang diberikan adalah {expected}; setiap epoch, "
        "jalankan forward, catat loss-nya, lakukan backpropagation, lalu perbarui",
    },
    "trainer_unmatched": {
        "en": "no known trainer mistake reproduces your run: {details}{losses} (train_xor "
        "ran with the grader's trusted layers, so the difference is your trainer's own)",
        "id": "tidak ada kesalahan pelatihan umum yang menghasilkan lintasan Anda: "
        "{details}{losses} (train_xor dijalankan dengan layer tepercaya milik autograder, "
        "jadi perbedaan ini berasal dari trainer Anda sendiri)",
    },
    # -- issue 11 ---------------------------------------------------------------------------
    "frozen": {
        "en": "train_xor never updates {names}: its run matches training every other "
        "parameter exactly; update {names} too (p -= lr * dL/dp for every parameter)",
        "id": "train_xor tidak pernah memperbarui {names}: lintasannya tepat sama dengan melatih "
        "semua parameter lain; perbarui juga {names} (p -= lr * dL/dp untuk setiap parameter)",
    },
    "scaled_loss": {
        "en": "train_xor trains on, and records, {factor} times the loss; this assignment's "
        "loss is L = 0.5 * sum((a2 - y) ** 2) (a sum with the factor 0.5, not a mean), whose "
        "gradient at the output is a2 - y",
        "id": "train_xor melatih dengan, dan mencatat, {factor} kali loss; loss tugas ini "
        "adalah L = 0.5 * sum((a2 - y) ** 2) (jumlah dengan faktor 0.5, bukan rata-rata), yang "
        "gradiennya di keluaran adalah a2 - y",
    },
    "gradient_scaled": {
        "en": "each update of train_xor is exactly {factor} times gradient descent's step; "
        "update p -= lr * dL/dp with dL/da2 = a2 - y: look for a stray factor in the error or "
        "in the update",
        "id": "setiap pembaruan train_xor tepat {factor} kali langkah gradient descent; "
        "perbarui p -= lr * dL/dp dengan dL/da2 = a2 - y: cari faktor yang tidak semestinya "
        "pada galat atau pada pembaruan",
    },
    "wrong_loss": {
        "en": "train_xor's updates are right, but the losses it records are not "
        "L = 0.5 * sum((a2 - y) ** 2) of the params before each update; append "
        "float(0.5 * np.sum((a2 - y) ** 2)) right after the forward pass",
        "id": "pembaruan train_xor sudah benar, tetapi losses yang dicatatnya bukan "
        "L = 0.5 * sum((a2 - y) ** 2) dari params sebelum setiap pembaruan; tambahkan "
        "float(0.5 * np.sum((a2 - y) ** 2)) tepat setelah forward",
    },
    "epochs_short": {
        "en": "train_xor makes {count} updates for epochs = {epochs}: one epoch too few "
        "(e.g. range(1, epochs) or range(epochs - 1)); loop for _ in range(epochs)",
        "id": "train_xor melakukan {count} pembaruan untuk epochs = {epochs}: kurang satu epoch "
        "(mis. range(1, epochs) atau range(epochs - 1)); gunakan for _ in range(epochs)",
    },
    "epochs_extra": {
        "en": "train_xor makes {count} updates for epochs = {epochs}: one epoch too many "
        "(e.g. range(epochs + 1)); loop for _ in range(epochs)",
        "id": "train_xor melakukan {count} pembaruan untuk epochs = {epochs}: kelebihan satu "
        "epoch (mis. range(epochs + 1)); gunakan for _ in range(epochs)",
    },
    "early_stop": {
        "en": "train_xor stops after {count} of its {epochs} epochs, following gradient descent "
        "exactly until then: this trainer has no early stopping (no break on a small loss); "
        "run every epoch",
        "id": "train_xor berhenti setelah {count} dari {epochs} epoch, dan sampai saat itu tepat "
        "mengikuti gradient descent: pelatih ini tidak memakai early stopping (tanpa break "
        "saat loss kecil); jalankan semua epoch",
    },
    "shared_activation": {
        "en": "train_xor uses one SigmoidLayer instance for both activations, so the hidden "
        "layer's backward uses the output layer's cached a2; create a separate SigmoidLayer "
        "for each layer",
        "id": "train_xor memakai satu instance SigmoidLayer untuk kedua aktivasi, sehingga "
        "backward layer tersembunyi memakai a2 yang disimpan layer keluaran; buat "
        "SigmoidLayer terpisah untuk setiap layer",
    },
    "float32": {
        "en": "train_xor's parameters are all float32 values, and its run is gradient "
        "descent's to float32 rounding: keep every array float64 (np.array(value, "
        "dtype=float)) throughout training",
        "id": "semua parameter train_xor berupa nilai float32, dan lintasannya sama dengan "
        "gradient descent sampai pembulatan float32: pertahankan setiap array sebagai float64 "
        "(np.array(value, dtype=float)) selama pelatihan",
    },
    "momentum": {
        "en": "train_xor's run is gradient descent with momentum {factor} (v = {factor} * v + "
        "grad; p -= lr * v); this trainer is plain gradient descent: p -= lr * dL/dp, with "
        "no velocity",
        "id": "lintasan train_xor adalah gradient descent dengan momentum {factor} (v = "
        "{factor} * v + grad; p -= lr * v); pelatih ini gradient descent biasa: "
        "p -= lr * dL/dp, tanpa kecepatan",
    },
    "weight_decay": {
        "en": "train_xor's run is gradient descent with weight decay {factor} "
        "(p -= lr * (dL/dp + {factor} * p)); the loss has no penalty term, so update with the "
        "gradient alone",
        "id": "lintasan train_xor adalah gradient descent dengan weight decay {factor} "
        "(p -= lr * (dL/dp + {factor} * p)); loss-nya tidak memiliki suku penalti, jadi "
        "perbarui dengan gradien saja",
    },
    "target_broadcast": {
        "en": "train_xor's losses subtract a flattened target: (a2 - y) with shapes (N, 1) and "
        "(N,) broadcasts to an (N, N) matrix; keep a2 and y the same shape, (N, 1), when "
        "computing the loss",
        "id": "losses train_xor dihitung dengan target yang diratakan: (a2 - y) dengan bentuk "
        "(N, 1) dan (N,) di-broadcast menjadi matriks (N, N); pertahankan a2 dan y berbentuk "
        "sama, (N, 1), saat menghitung loss",
    },
    "loss_scaled": {
        "en": "train_xor's updates are right, but it records {factor} times the loss; record "
        "L = 0.5 * sum((a2 - y) ** 2) exactly (a sum, not a mean, with the factor 0.5)",
        "id": "pembaruan train_xor sudah benar, tetapi yang dicatat adalah {factor} kali loss; "
        "catat L = 0.5 * sum((a2 - y) ** 2) apa adanya (jumlah, bukan rata-rata, dengan "
        "faktor 0.5)",
    },
    "ignores_params": {
        "en": "train_xor ignores the params it is given: its run is training from "
        "init_params()'s default start; start from copies of the params argument",
        "id": "train_xor mengabaikan params yang diberikan: lintasannya adalah pelatihan dari "
        "titik awal bawaan init_params(); mulailah dari salinan argumen params",
    },
    "ignores_data": {
        "en": "train_xor ignores the X and y it is given: its run is training on XOR_X and "
        "XOR_Y; use the X and y arguments",
        "id": "train_xor mengabaikan X dan y yang diberikan: lintasannya adalah pelatihan pada "
        "XOR_X dan XOR_Y; gunakan argumen X dan y",
    },
    "lr_or_factor": {
        "en": "each update of train_xor is exactly {factor} times gradient descent's step, and "
        "{factor} is DEFAULT_LR / lr ({default} / {lr}): train_xor probably uses DEFAULT_LR "
        "instead of its lr argument (else a factor {factor} crept into the error or the "
        "update)",
        "id": "setiap pembaruan train_xor tepat {factor} kali langkah gradient descent, dan "
        "{factor} sama dengan DEFAULT_LR / lr ({default} / {lr}): kemungkinan train_xor memakai "
        "DEFAULT_LR, bukan argumen lr (jika tidak, ada faktor {factor} pada galat atau "
        "pembaruan)",
    },
    "params_changed": {
        "en": "train_xor changes the caller's params, either its arrays in place "
        "(p = dict(params); p[k] -= ...) or the dict itself (p = params; p[k] = ...); build a "
        "new dict of new arrays, e.g. p = {{k: v.copy() for k, v in params.items()}}",
        "id": "train_xor mengubah params milik pemanggil, entah array-nya secara in-place "
        "(p = dict(params); p[k] -= ...) atau dict-nya sendiri (p = params; p[k] = ...); buat "
        "dict baru berisi array baru, mis. p = {{k: v.copy() for k, v in params.items()}}",
    },
    "no_hidden_derivative": {
        "en": "train_xor skips the hidden sigmoid's backward: it sends da1 straight into the "
        "first AffineLayer; pass it through the hidden SigmoidLayer's backward first",
        "id": "train_xor melewatkan backward sigmoid tersembunyi: da1 langsung dikirim ke "
        "AffineLayer pertama; lewatkan dulu melalui backward SigmoidLayer tersembunyi",
    },
    "partial_ascent": {
        "en": "train_xor climbs the loss on {names} (p += lr * dL/dp) while it descends on "
        "every other parameter; subtract for every parameter: p -= lr * dL/dp",
        "id": "train_xor menaikkan loss pada {names} (p += lr * dL/dp) sementara menurunkannya "
        "pada parameter lain; kurangkan untuk setiap parameter: p -= lr * dL/dp",
    },
    "wrong_gradient": {
        "en": "train_xor updates {names} with the gradient of {other} (it broadcasts to the "
        "shape of {names}, so nothing fails); update each parameter with its own gradient",
        "id": "train_xor memperbarui {names} dengan gradien {other} (yang di-broadcast ke bentuk "
        "{names}, sehingga tidak ada galat); perbarui setiap parameter dengan gradiennya sendiri",
    },
    "restarts_each_epoch": {
        "en": "train_xor starts every epoch again from the params it was given (the copy is "
        "made inside the loop), so only one update survives; copy the params once, before "
        "the loop",
        "id": "train_xor memulai setiap epoch lagi dari params yang diberikan (salinannya "
        "dibuat di dalam loop), sehingga hanya satu pembaruan yang bertahan; salin params "
        "sekali saja, sebelum loop",
    },
    "normalised_gradient": {
        "en": "train_xor divides each gradient by its norm; update with the gradient itself: "
        "p -= lr * dL/dp",
        "id": "train_xor membagi setiap gradien dengan norma-nya; perbarui dengan gradien itu "
        "sendiri: p -= lr * dL/dp",
    },
    "accumulated_gradients": {
        "en": "train_xor adds each epoch's gradient to a running total and steps with the "
        "total, which is never reset; update with this epoch's gradient only",
        "id": "train_xor menambahkan gradien setiap epoch ke total berjalan dan melangkah "
        "dengan total itu, yang tidak pernah diulang dari nol; perbarui dengan gradien epoch "
        "ini saja",
    },
    "lr_decay": {
        "en": "train_xor multiplies its learning rate by {factor} every epoch; keep lr constant",
        "id": "train_xor mengalikan learning rate dengan {factor} setiap epoch; biarkan lr tetap",
    },
}

PIECES: dict[str, dict[str, str]] = {
    "trainer.change_of": {"en": "the change of {name}", "id": "perubahan {name}"},
    "trainer.losses_part": {
        "en": "; the losses part from gradient descent's at losses[{epoch}]",
        "id": "; losses mulai berbeda dari gradient descent pada losses[{epoch}]",
    },
}

MESSAGES: dict[str, dict[str, str]] = {
    **{f"diag.{key}": entry for key, entry in SENTENCES.items()},
    **PIECES,
}
