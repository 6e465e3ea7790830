/*
 * The small puzzle the follow-up page solves before it sends a receipt code.
 *
 * Why: every guess at a receipt code must cost the guesser some work, without the server
 * counting anything about the visitor (a count per visitor needs an identifier, a count for
 * the whole server lets anyone lock every reporter out). The server signs a puzzle into the
 * page; the browser finds a number that makes SHA-256(seed || number) start with the asked
 * number of zero bits, where seed = SHA-256(puzzle "|" code digits). The proof is bound to the
 * code, so it cannot be reused for another guess. cases/puzzle.py checks it with one hash.
 *
 * Pure JavaScript rather than crypto.subtle: SubtleCrypto exists only over HTTPS or on
 * localhost, and administrations may serve the site over plain HTTP inside their network;
 * a hand-written single-block loop is also faster than one promise per hash.
 */
(function () {
  "use strict";

  var K = new Int32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);
  var IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
  var W = new Int32Array(64);

  /* One SHA-256 compression of the 16 words `block` into the 8 words `state` (in place). */
  function compress(state, block) {
    var i, w15, w2, s0, s1, t1, t2;
    for (i = 0; i < 16; i++) W[i] = block[i];
    for (i = 16; i < 64; i++) {
      w15 = W[i - 15];
      w2 = W[i - 2];
      s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
      s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
      W[i] = (((W[i - 16] + s0) | 0) + ((W[i - 7] + s1) | 0)) | 0;
    }
    var a = state[0], b = state[1], c = state[2], d = state[3];
    var e = state[4], f = state[5], g = state[6], h = state[7];
    for (i = 0; i < 64; i++) {
      s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      t1 = (((h + s1) | 0) + ((((e & f) ^ (~e & g)) + K[i]) | 0) + W[i]) | 0;
      s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g; g = f; f = e; e = (d + t1) | 0;
      d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    state[0] = (state[0] + a) | 0; state[1] = (state[1] + b) | 0;
    state[2] = (state[2] + c) | 0; state[3] = (state[3] + d) | 0;
    state[4] = (state[4] + e) | 0; state[5] = (state[5] + f) | 0;
    state[6] = (state[6] + g) | 0; state[7] = (state[7] + h) | 0;
  }

  /* SHA-256 of a byte array, as 8 big-endian 32-bit words. */
  function sha256Words(bytes) {
    var length = bytes.length;
    var padded = new Uint8Array(((length + 9 + 63) >> 6) << 6);
    padded.set(bytes);
    padded[length] = 0x80;
    var bits = length * 8;
    var end = padded.length;
    padded[end - 4] = (bits >>> 24) & 0xff; padded[end - 3] = (bits >>> 16) & 0xff;
    padded[end - 2] = (bits >>> 8) & 0xff; padded[end - 1] = bits & 0xff;
    padded[end - 5] = Math.floor(length / 0x20000000) & 0xff;  // bits above 2^32
    var state = new Int32Array(IV);
    var block = new Int32Array(16);
    for (var offset = 0; offset < end; offset += 64) {
      for (var i = 0; i < 16; i++) {
        var j = offset + i * 4;
        block[i] = (padded[j] << 24) | (padded[j + 1] << 16) | (padded[j + 2] << 8) | padded[j + 3];
      }
      compress(state, block);
    }
    return state;
  }

  /* Return the hex SHA-256 of a text (UTF-8); used by the tests to compare with Python's hashlib. */
  function sha256Hex(text) {
    var words = sha256Words(new TextEncoder().encode(text));
    var out = "";
    for (var i = 0; i < 8; i++) out += ("00000000" + (words[i] >>> 0).toString(16)).slice(-8);
    return out;
  }

  /* Whether the 8 words start with `bits` zero bits (bits <= 64). */
  function leadingZeros(state, bits) {
    if (bits <= 32) return bits === 0 || (state[0] >>> (32 - bits)) === 0;
    return state[0] === 0 && (state[1] >>> (64 - bits)) === 0;
  }

  /*
   * Find the proof for `token` and `digits`, a few thousand tries at a time so the page stays
   * responsive; call done(number) when found.
   */
  /**
   * The code's digits as 0–9, whatever script they were typed in (Arabic-Indic "٣" is 3), as the
   * server reads them (services.receipt_normalise): each decimal digit's value is its distance
   * from the start of its run of digits, counted modulo 10.
   */
  function asciiDigits(text) {
    var out = "";
    var isDigit = /^\p{Nd}$/u;
    Array.from(text).forEach(function (ch) {
      if (!isDigit.test(ch)) return;
      var cp = ch.codePointAt(0);
      var start = cp;
      while (isDigit.test(String.fromCodePoint(start - 1))) start -= 1;
      out += String((cp - start) % 10);
    });
    return out;
  }

  function solve(token, digits, bits, done) {
    var seed = sha256Words(new TextEncoder().encode(token + "|" + digits));
    // seed (32 bytes) + counter (4 bytes) fits one padded block: words 9 and 15 are the padding.
    var block = new Int32Array(16);
    block.set(seed);
    block[9] = 0x80000000 | 0;
    block[15] = 36 * 8;
    var state = new Int32Array(8);
    var counter = 0;
    function chunk() {
      for (var n = 0; n < 65536; n++, counter++) {
        block[8] = counter | 0;
        state.set(IV);
        compress(state, block);
        if (leadingZeros(state, bits)) return done(counter);
      }
      setTimeout(chunk, 0);
    }
    chunk();
  }

  function onSubmit(event) {
    var form = event.target;
    var digits = asciiDigits(form.elements.code.value);
    // A code of the wrong length is not a guess: the server says so without a puzzle.
    if (digits.length !== Number(form.dataset.digits) || form.elements.proof.value) return;
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    var working = form.querySelector("[data-puzzle-working]");
    button.disabled = true;
    if (working) working.hidden = false;
    solve(form.elements.puzzle.value, digits, Number(form.dataset.puzzleBits), function (number) {
      form.elements.proof.value = String(number);
      form.submit();
    });
  }

  window.arushaReceiptPuzzle = { sha256Hex: sha256Hex, solve: solve };
  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-receipt-puzzle]");
    for (var i = 0; i < forms.length; i++) {
      forms[i].addEventListener("submit", onSubmit);
      // A proof belongs to the code it was computed for; typing again needs a new one.
      forms[i].elements.code.addEventListener("input", function (event) {
        event.target.form.elements.proof.value = "";
      });
    }
  });
})();
