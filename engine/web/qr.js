"use strict";
// QR codes for the printed ticket, drawn as SVG (sharp on any printer) from the vendored
// qrcode-generator (vendor/qrcode.js, MIT, Kazuhiko Arase). Error correction M; a quiet zone of 4 modules.
const OWQr = (() => {
  const NS = "http://www.w3.org/2000/svg";
  function svg(text, attrs = {}) {
    const qr = qrcode(0, "M");
    qr.addData(text);
    qr.make();
    const n = qr.getModuleCount(), size = n + 8;
    let d = "";
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (qr.isDark(r, c)) d += `M${c + 4} ${r + 4}h1v1h-1z`;
    const node = document.createElementNS(NS, "svg");
    node.setAttribute("viewBox", `0 0 ${size} ${size}`);
    node.setAttribute("role", "img");
    node.setAttribute("aria-label", text);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    const bg = document.createElementNS(NS, "rect");
    bg.setAttribute("width", size); bg.setAttribute("height", size); bg.setAttribute("fill", "#fff");
    const path = document.createElementNS(NS, "path");
    path.setAttribute("d", d); path.setAttribute("fill", "#000");
    node.append(bg, path);
    return node;
  }
  return { svg };
})();
