// Records locales.json: JavaScript expressions and what Node 20 (full ICU)
// evaluates them to. TestLocalesMatchNode evaluates the same expressions
// in goja. Re-record after changing the cases (review the diff):
//
//	TZ=UTC node internal/web/intl/testdata/record.js
"use strict";
const fs = require("fs");
const path = require("path");

const locales = ["en-GB", "de-DE", "fr-FR", "ja-JP", "es-ES", "pt-BR", "en-IN", "nl-NL", "it-IT", "zh-CN", "ar-EG"];
const instants = ["Date.UTC(2024, 0, 5, 9, 3, 7, 45)", "Date.UTC(2023, 6, 21, 18, 45, 0)", "Date.UTC(1999, 11, 31, 23, 59, 59, 999)"];
const dateOptions = [
  "{dateStyle: 'full'}", "{dateStyle: 'long'}", "{dateStyle: 'medium'}", "{dateStyle: 'short'}",
  "{timeStyle: 'short'}", "{timeStyle: 'medium'}", "{timeStyle: 'full', timeZone: 'Europe/Berlin'}",
  "{dateStyle: 'medium', timeStyle: 'short', timeZone: 'America/New_York'}",
  "{weekday: 'long', year: 'numeric', month: 'long', day: 'numeric'}",
  "{weekday: 'short', month: 'short', day: 'numeric'}",
  "{year: 'numeric', month: '2-digit', day: '2-digit'}",
  "{month: 'long', year: 'numeric'}",
  "{hour: 'numeric', minute: '2-digit'}", "{hour: 'numeric', minute: '2-digit', hour12: true}",
  "{hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false}",
  "{hour: 'numeric', timeZoneName: 'short', timeZone: 'Asia/Kolkata'}",
  "{era: 'short', year: 'numeric'}", "{dayPeriod: 'long', hour: 'numeric'}",
  "{minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3}",
];
const numberOptions = [
  "{}", "{maximumFractionDigits: 1}", "{minimumFractionDigits: 2}", "{style: 'percent'}",
  "{style: 'percent', maximumFractionDigits: 1, signDisplay: 'always'}",
  "{style: 'currency', currency: 'EUR'}", "{style: 'currency', currency: 'USD'}",
  "{style: 'currency', currency: 'JPY'}", "{style: 'currency', currency: 'EUR', currencyDisplay: 'name'}",
  "{style: 'currency', currency: 'USD', currencySign: 'accounting'}",
  "{style: 'currency', currency: 'INR', currencyDisplay: 'code'}",
  "{notation: 'compact'}", "{notation: 'compact', compactDisplay: 'long'}",
  "{notation: 'scientific'}", "{notation: 'engineering', maximumSignificantDigits: 3}",
  "{style: 'unit', unit: 'kilometer-per-hour'}", "{style: 'unit', unit: 'kilometer-per-hour', unitDisplay: 'long'}",
  "{style: 'unit', unit: 'megabyte', unitDisplay: 'narrow'}", "{style: 'unit', unit: 'celsius'}",
  "{useGrouping: false}", "{minimumIntegerDigits: 3}",
];
const numbers = ["1234567.891", "-0.5", "0", "1", "2", "1500", "NaN"];

const exprs = [
  // timestamp-parser splits this on "/".
  "new Date(Date.UTC(2024, 0, 5)).toLocaleDateString('en-GB')",
  "new Date(Date.UTC(2024, 0, 5)).toLocaleDateString('en-GB').split('/').join()",
  // CLDR's fallback chain.
  "new Date(Date.UTC(2024, 0, 5)).toLocaleDateString('de-AT')",
  "new Intl.DateTimeFormat('de-XX').resolvedOptions().locale",
  "new Intl.NumberFormat(['xx', 'fr-CA']).format(1234.5)",
  "JSON.stringify(Intl.DateTimeFormat.supportedLocalesOf(['de-AT', 'xx-YY', 'zh-Hans-CN', 'EN-gb']))",
  "JSON.stringify(Intl.getCanonicalLocales(['EN-us', 'de-at', 'en-US']))",
];
for (const l of locales) {
  const q = `'${l}'`;
  for (const t of instants) {
    exprs.push(`new Date(${t}).toLocaleString(${q})`);
    exprs.push(`new Date(${t}).toLocaleDateString(${q})`);
    exprs.push(`new Date(${t}).toLocaleTimeString(${q})`);
  }
  dateOptions.forEach((o, i) => {
    const t = instants[i % instants.length];
    exprs.push(`new Intl.DateTimeFormat(${q}, ${o}).format(${t})`);
  });
  exprs.push(`JSON.stringify(new Intl.DateTimeFormat(${q}, {dateStyle: 'long', timeStyle: 'short'}).formatToParts(${instants[0]}))`);
  exprs.push(`JSON.stringify(new Intl.DateTimeFormat(${q}, {weekday: 'short', hour: 'numeric'}).resolvedOptions())`);
  exprs.push(`JSON.stringify(new Intl.DateTimeFormat(${q}).resolvedOptions())`);
  numberOptions.forEach((o, i) => {
    exprs.push(`[${numbers.join(", ")}].map(new Intl.NumberFormat(${q}, ${o}).format).join(' | ')`);
    if (i % 4 === 0) exprs.push(`JSON.stringify(new Intl.NumberFormat(${q}, ${o}).resolvedOptions())`);
  });
  exprs.push(`(1234567.891).toLocaleString(${q})`);
  exprs.push(`(0.256).toLocaleString(${q}, {style: 'percent'})`);
  exprs.push(`12345678901234567890n.toLocaleString(${q})`);
  exprs.push(`JSON.stringify(new Intl.NumberFormat(${q}, {style: 'currency', currency: 'EUR'}).formatToParts(-1234.5))`);
  exprs.push(`JSON.stringify(new Intl.NumberFormat(${q}, {notation: 'compact'}).formatToParts(1234567))`);
  exprs.push(`[0, 1, 2, 3, 5, 11, 21, 100, 1.5, '1.0'].map(n => new Intl.PluralRules(${q}).select(n)).join()`);
  exprs.push(`[0, 1, 2, 3, 5, 11, 21, 22, 23, 100].map(n => new Intl.PluralRules(${q}, {type: 'ordinal'}).select(n)).join()`);
  exprs.push(`[1, 1.5].map(n => new Intl.PluralRules(${q}, {minimumFractionDigits: 1}).select(n)).join()`);
  exprs.push(`JSON.stringify(new Intl.PluralRules(${q}).resolvedOptions())`);
  exprs.push(`JSON.stringify(Intl.NumberFormat.supportedLocalesOf(${q}))`);
}

const cases = exprs.map((expr) => {
  let value;
  try {
    value = String((0, eval)(expr));
  } catch (e) {
    value = "throws: " + String(e);
  }
  return { expr, value };
});
const out = { node: process.versions.node, icu: process.versions.icu, cldr: process.versions.cldr, cases };
fs.writeFileSync(path.join(__dirname, "locales.json"),
  '{"node": ' + JSON.stringify(out.node) + ', "icu": ' + JSON.stringify(out.icu) + ', "cldr": ' + JSON.stringify(out.cldr) + ', "cases": [\n' +
  cases.map((c) => JSON.stringify(c)).join(",\n") + "\n]}\n");
console.log(cases.length + " cases");
