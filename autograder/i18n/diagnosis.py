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
        "en": "no known mistake reproduces {name}: {details}",
        "id": "tidak ada kesalahan umum yang menghasilkan {name} ini: {details}",
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
        "missing; write {name} = {fix}, which has {input}'s shape {shape}",
        "id": "{name} mengalikan matriks yang bentuknya tidak cocok: ada transpos yang "
        "terlewat; tulis {name} = {fix}, yang berbentuk sama dengan {input}, yaitu {shape}",
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
    # -- issue 11: reproduced on shapes, shared caches ----------------------------------
    "cache_reshaped": {
        "en": "forward stores {attr} with shape {stored}, not the shape {expected} of its "
        "input {param}, so `{code}` fails although it is written right; store the input as it "
        "is ({attr} = {param})",
        "id": "forward menyimpan {attr} dengan bentuk {stored}, bukan bentuk {expected} dari "
        "inputnya {param}, sehingga `{code}` gagal padahal penulisannya benar; simpan input apa "
        "adanya ({attr} = {param})",
    },
    "extra_transpose": {
        "en": "{name} transposes an operand that must not be transposed, so the shapes do not "
        "line up; write {name} = {fix}, which has {input}'s shape {shape}",
        "id": "{name} mentranspos operan yang tidak boleh ditranspos, sehingga bentuknya tidak "
        "cocok; tulis {name} = {fix}, yang berbentuk sama dengan {input}, yaitu {shape}",
    },
    "operands_swapped": {
        "en": "{name} multiplies its two matrices in the wrong order; write {name} = {fix}, "
        "which has {input}'s shape {shape}",
        "id": "{name} mengalikan kedua matriksnya dalam urutan yang salah; tulis {name} = "
        "{fix}, yang berbentuk sama dengan {input}, yaitu {shape}",
    },
    "shapes_clash": {
        "en": "in `{code}`, {left} has shape {left_shape} and {right} has shape {right_shape}, "
        "which cannot be combined; {name} must have shape {shape}",
        "id": "pada `{code}`, {left} berbentuk {left_shape} dan {right} berbentuk "
        "{right_shape}, yang tidak dapat digabungkan; {name} harus berbentuk {shape}",
    },
    "shared_cache": {
        "en": "{name} answers for the latest forward of another instance of {layer}: the "
        "cache is shared by all instances (a class attribute or a global); store it on self in "
        "forward (self.x = x)",
        "id": "{name} menjawab untuk forward terakhir dari instance {layer} yang lain: cache "
        "dipakai bersama oleh semua instance (atribut kelas atau variabel global); simpan di "
        "self pada forward (self.x = x)",
    },
    "keepdims": {
        "en": "{name} has the right values but the shape {got_shape}; it must have {input}'s "
        "shape {shape}: drop the extra axis (sum without keepdims=True, no reshape)",
        "id": "{name} bernilai benar tetapi berbentuk {got_shape}; bentuknya harus sama dengan "
        "{input}, yaitu {shape}: buang axis tambahannya (jumlahkan tanpa keepdims=True)",
    },
    "summed_all": {
        "en": "{name} sums over every axis, giving one number; sum over the batch only "
        "(axis 0), which gives {input}'s shape {shape}",
        "id": "{name} menjumlahkan semua axis sehingga menjadi satu angka; jumlahkan hanya "
        "sepanjang batch (axis 0), yang menghasilkan bentuk {input}, yaitu {shape}",
    },
    "chained_gradient": {
        "en": "{name} multiplies {other}, not the upstream gradient, by its local gradient; "
        "each gradient is the upstream gradient times its own local gradient (dy = dz * x)",
        "id": "{name} mengalikan {other}, bukan gradien hulu, dengan gradien lokalnya; setiap "
        "gradien adalah gradien hulu dikali gradien lokalnya sendiri (dy = dz * x)",
    },
    "missing_factor": {
        "en": "{name} drops a factor of the sigmoid's local gradient, which is a * (1 - a): "
        "return da * a * (1 - a)",
        "id": "{name} kehilangan satu faktor gradien lokal sigmoid, yaitu a * (1 - a): "
        "kembalikan da * a * (1 - a)",
    },
    "local_sign": {
        "en": "{name} uses a * (1 + a); the sigmoid's local gradient is a * (1 - a)",
        "id": "{name} memakai a * (1 + a); gradien lokal sigmoid adalah a * (1 - a)",
    },
    "wrong_operand": {
        "en": "{name} uses {wrong} where {right} belongs; write {name} = {fix}, which has "
        "{input}'s shape {shape}",
        "id": "{name} memakai {wrong} padahal seharusnya {right}; tulis {name} = {fix}, yang "
        "berbentuk sama dengan {input}, yaitu {shape}",
    },
    "elementwise_product": {
        "en": "{name} multiplies elementwise (*) where a matrix product (@) is needed; write "
        "{name} = {fix}, which has {input}'s shape {shape}",
        "id": "{name} mengalikan per elemen (*) padahal perlu perkalian matriks (@); tulis "
        "{name} = {fix}, yang berbentuk sama dengan {input}, yaitu {shape}",
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
    "cache_reshaped": {
        "en": "cache stored with another shape",
        "id": "cache disimpan berbentuk lain",
    },
    "extra_transpose": {"en": "transpose too many", "id": "transpos berlebih"},
    "operands_swapped": {"en": "matrix product in the wrong order", "id": "urutan perkalian salah"},
    "shapes_clash": {"en": "shapes do not line up", "id": "bentuk tidak cocok"},
    "shared_cache": {"en": "cache shared by instances", "id": "cache dipakai bersama instance"},
    "keepdims": {"en": "extra axis kept", "id": "axis tambahan"},
    "summed_all": {"en": "summed over every axis", "id": "dijumlahkan pada semua axis"},
    "chained_gradient": {"en": "chained through another gradient", "id": "lewat gradien lain"},
    "missing_factor": {"en": "a local factor dropped", "id": "faktor lokal hilang"},
    "local_sign": {"en": "sign inside the local gradient", "id": "tanda di gradien lokal"},
    "wrong_operand": {"en": "wrong array in a product", "id": "array salah dalam perkalian"},
    "elementwise_product": {"en": "* instead of @", "id": "* bukan @"},
}

MESSAGES: dict[str, dict[str, str]] = {
    **{f"diag.{key}": entry for key, entry in SENTENCES.items()},
    **{f"mistake.{key}": entry for key, entry in LABELS.items()},
}
