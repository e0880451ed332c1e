// Records Node's Intl output (full ICU) as the fixtures internal/cldr's
// tests compare against. Run by hand with Node 20 when the CLDR data or the
// cases change:
//
//   TZ=UTC node internal/cldr/testdata/record.js
//
// It writes dates.json, numbers.json, plurals.json, locales.json and
// zones.json next to itself.
'use strict';
const fs = require('fs');
const path = require('path');

if (process.env.TZ !== 'UTC') {
  console.error('run with TZ=UTC');
  process.exit(1);
}

const locales = ['en-US', 'en-GB', 'de-DE', 'fr-FR', 'ja-JP', 'es-ES', 'pt-BR', 'en-IN', 'nl-NL', 'it-IT',
  'zh-CN', 'ar-EG', 'de-AT', 'ko-KR', 'ru-RU', 'pl-PL', 'tr-TR', 'sv-SE', 'hi-IN', 'es-MX', 'zh-TW', 'ar'];

const instants = [
  Date.UTC(2024, 0, 5, 9, 3, 7, 123),
  Date.UTC(2024, 6, 21, 18, 45, 0, 0),
  Date.UTC(1999, 11, 31, 23, 59, 59, 999),
  Date.UTC(2024, 2, 10, 0, 0, 0, 0),
  Date.UTC(2023, 10, 30, 12, 0, 5, 0),
  Date.UTC(-50, 5, 15, 6, 30, 0, 0),
];

const dateOptions = [
  undefined,
  { dateStyle: 'full' }, { dateStyle: 'long' }, { dateStyle: 'medium' }, { dateStyle: 'short' },
  { timeStyle: 'full' }, { timeStyle: 'long' }, { timeStyle: 'medium' }, { timeStyle: 'short' },
  { dateStyle: 'medium', timeStyle: 'short' }, { dateStyle: 'long', timeStyle: 'short' },
  { dateStyle: 'full', timeStyle: 'medium' }, { dateStyle: 'short', timeStyle: 'short' },
  { year: 'numeric', month: 'long', day: 'numeric' },
  { month: 'short', day: 'numeric' },
  { weekday: 'long' },
  { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric' },
  { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' },
  { year: 'numeric', month: '2-digit', day: '2-digit' },
  { year: '2-digit', month: 'numeric', day: 'numeric' },
  { hour: '2-digit', minute: '2-digit' },
  { hour: 'numeric', minute: '2-digit', hour12: true },
  { hour: 'numeric', hour12: false },
  { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' },
  { hour: 'numeric', minute: 'numeric', second: 'numeric', hour12: true },
  { month: 'long' }, { year: 'numeric', month: 'long' }, { year: 'numeric' }, { day: 'numeric' },
  { month: 'long', day: 'numeric', hour: 'numeric', minute: 'numeric' },
  { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' },
  { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' },
  { weekday: 'short', hour: 'numeric', minute: 'numeric' },
  { minute: '2-digit', second: '2-digit' },
  { hour: 'numeric', minute: 'numeric', fractionalSecondDigits: 3 },
  { timeZone: 'America/New_York' },
  { timeZone: 'Asia/Kolkata', dateStyle: 'medium', timeStyle: 'long' },
  { timeZone: 'Europe/Berlin', hour: 'numeric', minute: 'numeric', timeZoneName: 'short' },
  { timeZone: 'America/New_York', hour: 'numeric', timeZoneName: 'shortOffset' },
  { timeZone: 'Asia/Tokyo', year: 'numeric', month: 'numeric', day: 'numeric', timeZoneName: 'longOffset' },
  { timeZone: 'Europe/London', hour: 'numeric', minute: 'numeric', timeZoneName: 'long' },
  { timeZone: 'America/Los_Angeles', timeStyle: 'full' },
  { timeZoneName: 'short' },
  { era: 'short', year: 'numeric' }, { era: 'long', year: 'numeric', month: 'long', day: 'numeric' },
  { hour: 'numeric', dayPeriod: 'long' }, { dayPeriod: 'short' }, { weekday: 'narrow' }, { month: 'narrow' },
  { timeZone: 'America/New_York', hour: 'numeric', timeZoneName: 'longGeneric' },
  { timeZone: 'Europe/Berlin', hour: 'numeric', timeZoneName: 'shortGeneric' },
  { timeZone: 'Australia/Sydney', timeZoneName: 'long' },
  { hour: 'numeric', hourCycle: 'h11' }, { hour: '2-digit', hourCycle: 'h24', minute: '2-digit' },
  { year: 'numeric', day: 'numeric' }, { month: 'short', year: '2-digit' }, { second: 'numeric' },
  { timeStyle: 'short', hour12: false }, { timeStyle: 'medium', hourCycle: 'h11' },
  { dateStyle: 'short', timeStyle: 'short', hour12: true }, { hour: 'numeric', minute: 'numeric', hourCycle: 'h24' },
  { weekday: 'long', hour: 'numeric' }, { era: 'narrow', year: 'numeric' }, { year: 'numeric', month: 'short', weekday: 'short' },
  { month: '2-digit', day: '2-digit' }, { hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 2 },
  { minute: 'numeric' }, { timeZone: 'Asia/Kolkata', hour: 'numeric', timeZoneName: 'longOffset' },
  { timeZone: 'UTC', hour: 'numeric', timeZoneName: 'shortOffset' },
  { timeZone: 'America/Sao_Paulo', timeZoneName: 'long' }, { timeZone: 'Asia/Tokyo', timeZoneName: 'short' },
  { timeZone: 'Pacific/Chatham', hour: 'numeric', timeZoneName: 'shortOffset' },
  { timeZone: 'America/Los_Angeles', hour: 'numeric', timeZoneName: 'longGeneric' },
];

const dates = [];
for (const locale of locales) {
  for (const options of dateOptions) {
    const f = new Intl.DateTimeFormat(locale, options);
    for (const t of instants) {
      const d = new Date(t);
      dates.push({ locale, options: options || {}, time: t, format: f.format(d), parts: f.formatToParts(d) });
    }
    dates.push({ locale, options: options || {}, resolved: f.resolvedOptions() });
  }
  for (const t of instants) {
    const d = new Date(t);
    dates.push({ locale, method: 'toLocaleString', time: t, format: d.toLocaleString(locale) });
    dates.push({ locale, method: 'toLocaleDateString', time: t, format: d.toLocaleDateString(locale) });
    dates.push({ locale, method: 'toLocaleTimeString', time: t, format: d.toLocaleTimeString(locale) });
  }
}

// More locales, checked on format() only, to cover the ~50 languages the
// data ships.
const sweepLocales = ['fr-CA', 'de-CH', 'en-AU', 'en-CA', 'pt-PT', 'id-ID', 'th-TH', 'vi-VN', 'uk-UA', 'cs-CZ',
  'da-DK', 'fi-FI', 'nb-NO', 'el-GR', 'he-IL', 'hu-HU', 'ro-RO', 'bn-BD', 'fa-IR', 'ms-MY', 'sk-SK', 'bg-BG',
  'hr-HR', 'ca-ES', 'sr-RS', 'sw-KE', 'ta-IN', 'te-IN', 'mr-IN', 'ur-PK', 'fil-PH', 'lt-LT', 'lv-LV', 'et-EE',
  'sl-SI', 'af-ZA', 'es-AR', 'zh-HK', 'zh-Hant-TW', 'sr-Latn-RS'];
for (const locale of sweepLocales) {
  for (const options of dateOptions) {
    const f = new Intl.DateTimeFormat(locale, options);
    for (const t of [instants[0], instants[1]]) {
      dates.push({ locale, options: options || {}, time: t, format: f.format(new Date(t)) });
    }
  }
}

const values = [0, 1, -1, 0.5, 1234.5678, 1234567.891, 0.000123, 999.995, 1e21, 123456789012, 1500, -42000];
const numberOptions = [
  undefined,
  { maximumFractionDigits: 0 }, { minimumFractionDigits: 2 }, { useGrouping: false }, { minimumIntegerDigits: 3 },
  { signDisplay: 'always' }, { signDisplay: 'exceptZero' }, { signDisplay: 'never' },
  { maximumSignificantDigits: 3 }, { minimumSignificantDigits: 5 },
  { style: 'percent' }, { style: 'percent', minimumFractionDigits: 1 },
  { style: 'currency', currency: 'USD' }, { style: 'currency', currency: 'EUR' }, { style: 'currency', currency: 'JPY' },
  { style: 'currency', currency: 'GBP' }, { style: 'currency', currency: 'INR' }, { style: 'currency', currency: 'BRL' },
  { style: 'currency', currency: 'CNY' }, { style: 'currency', currency: 'EGP' },
  { style: 'currency', currency: 'USD', currencyDisplay: 'code' }, { style: 'currency', currency: 'EUR', currencyDisplay: 'name' },
  { style: 'currency', currency: 'USD', currencyDisplay: 'narrowSymbol' },
  { style: 'currency', currency: 'EUR', currencySign: 'accounting' },
  { notation: 'compact' }, { notation: 'compact', compactDisplay: 'long' },
  { notation: 'compact', maximumFractionDigits: 2 },
  { maximumFractionDigits: 2, minimumFractionDigits: 2, roundingIncrement: 5 },
  { maximumFractionDigits: 0, roundingIncrement: 25, roundingMode: 'floor' },
  { maximumFractionDigits: 1, roundingMode: 'halfEven' }, { maximumSignificantDigits: 2, roundingMode: 'ceil' },
  { minimumFractionDigits: 2, trailingZeroDisplay: 'stripIfInteger' },
  { maximumFractionDigits: 1, maximumSignificantDigits: 2, roundingPriority: 'lessPrecision' },
  { useGrouping: 'always' }, { useGrouping: 'min2' }, { signDisplay: 'negative' },
  { style: 'currency', currency: 'EUR', notation: 'compact' },
  { notation: 'scientific' }, { notation: 'engineering' }, { notation: 'scientific', maximumSignificantDigits: 2 },
  { style: 'unit', unit: 'kilometer-per-hour' }, { style: 'unit', unit: 'kilometer-per-hour', unitDisplay: 'long' },
  { style: 'unit', unit: 'celsius', unitDisplay: 'narrow' }, { style: 'unit', unit: 'megabyte', unitDisplay: 'long' },
  { style: 'unit', unit: 'liter' }, { style: 'unit', unit: 'hour', unitDisplay: 'long' },
  { style: 'unit', unit: 'kilobyte-per-second' }, { style: 'unit', unit: 'percent' },
  { style: 'unit', unit: 'mile-per-gallon', unitDisplay: 'long' }, { style: 'unit', unit: 'byte', unitDisplay: 'narrow' },
  { style: 'unit', unit: 'gigabyte-per-hour', unitDisplay: 'long' },
];
const numbers = [];
for (const locale of locales) {
  for (const options of numberOptions) {
    const f = new Intl.NumberFormat(locale, options);
    for (const v of values) {
      numbers.push({ locale, options: options || {}, value: v, format: f.format(v), parts: f.formatToParts(v) });
    }
    numbers.push({ locale, options: options || {}, resolved: f.resolvedOptions() });
  }
  for (const v of values) {
    numbers.push({ locale, method: 'toLocaleString', value: v, format: v.toLocaleString(locale) });
  }
}

for (const locale of sweepLocales) {
  for (const options of numberOptions) {
    const f = new Intl.NumberFormat(locale, options);
    for (const v of [-1, 1234.5678, 1234567.891, 0.5]) {
      numbers.push({ locale, options: options || {}, value: v, format: f.format(v) });
    }
  }
}

const pluralValues = [0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 20, 21, 22, 23, 25, 100, 101, 102, 103, 111, 1000, 1000000, 0.5, 1.5, 2.5, 0.1, 1.1];
const plurals = [];
for (const locale of locales.concat(['fr', 'lv', 'ro', 'sl', 'lt', 'he', 'cs', 'pt-PT'])) {
  for (const type of ['cardinal', 'ordinal']) {
    const r = new Intl.PluralRules(locale, { type });
    for (const v of pluralValues) plurals.push({ locale, type, value: v, category: r.select(v) });
    plurals.push({ locale, type, value: 1, minimumFractionDigits: 1, category: new Intl.PluralRules(locale, { type, minimumFractionDigits: 1 }).select(1) });
    plurals.push({ locale, type, resolved: r.resolvedOptions() });
  }
}

const tags = ['en', 'en-US', 'en-GB', 'de-AT', 'de-XX', 'de-CH', 'fr-CA', 'pt', 'pt-PT', 'pt-BR', 'zh', 'zh-CN', 'zh-TW',
  'zh-Hant', 'zh-HK', 'es-419', 'es-AR', 'nb', 'no', 'sr', 'sr-Latn', 'xx', 'tlh', 'ar-EG', 'ar-SA', 'hi', 'en-001', 'en-AU'];
const loc = [];
for (const t of tags) {
  loc.push({ tag: t, supported: Intl.DateTimeFormat.supportedLocalesOf([t]),
    dateLocale: new Intl.DateTimeFormat(t).resolvedOptions().locale,
    numberLocale: new Intl.NumberFormat(t).resolvedOptions().locale,
    numberingSystem: new Intl.NumberFormat(t).resolvedOptions().numberingSystem,
    hourCycle: new Intl.DateTimeFormat(t, { hour: 'numeric' }).resolvedOptions().hourCycle });
}

// Time zone names as Intl canonicalizes them (null: RangeError).
const zoneNames = Intl.supportedValuesOf('timeZone').concat(['utc', 'Etc/GMT', 'GMT', 'Etc/UCT', 'Zulu', 'US/Eastern',
  'asia/kolkata', 'America/Buenos_Aires', 'Europe/Kyiv', 'EST', 'Etc/GMT+5', 'Asia/Ho_Chi_Minh', 'Not/AZone', 'Mars/Olympus']);
const zones = zoneNames.map((z) => {
  try {
    return { name: z, canonical: new Intl.DateTimeFormat('en', { timeZone: z }).resolvedOptions().timeZone };
  } catch (e) {
    return { name: z, canonical: null };
  }
});

// Random option combinations (a fixed seed, so re-recording is stable),
// format() only.
let seed = 20240105;
const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return Math.floor((seed / 2147483648) * n); };
const pick = (a) => a[rand(a.length)];
const allLocales = locales.concat(sweepLocales).filter((l) => l !== 'th-TH' && l !== 'fa-IR');
const zoneList = [undefined, 'UTC', 'America/New_York', 'Europe/Paris', 'Asia/Kolkata', 'Australia/Sydney', 'America/Sao_Paulo', 'Asia/Shanghai'];
for (let i = 0; i < 4000; i++) {
  const locale = pick(allLocales);
  const o = {};
  const set = (k, vals) => { const v = pick(vals); if (v !== undefined) o[k] = v; };
  if (rand(6) === 0) {
    set('dateStyle', [undefined, 'full', 'long', 'medium', 'short']);
    set('timeStyle', [undefined, 'full', 'long', 'medium', 'short']);
    set('hourCycle', [undefined, undefined, 'h11', 'h12', 'h23', 'h24']);
  } else {
    // Combinations people use: a date with contiguous fields, a time
    // from the hour down, each optional.
    const date = pick(['', 'd', 'M', 'y', 'Md', 'yM', 'yMd', 'yMd', 'EyMd', 'EMd', 'E']);
    if (date.includes('E')) set('weekday', ['long', 'short', 'narrow']);
    if (date.includes('y')) { set('year', ['numeric', '2-digit']); set('era', [undefined, undefined, undefined, 'long', 'short', 'narrow']); }
    if (date.includes('M')) set('month', ['numeric', '2-digit', 'long', 'short', 'narrow']);
    if (date.includes('d')) set('day', ['numeric', '2-digit']);
    const time = pick(['', '', 'h', 'hm', 'hm', 'hms', 'ms']);
    if (time.includes('h')) {
      set('hour', ['numeric', '2-digit']);
      set('hour12', [undefined, undefined, undefined, true, false]);
      set('dayPeriod', [undefined, undefined, undefined, undefined, 'short', 'long', 'narrow']);
    }
    if (time.includes('m')) set('minute', ['numeric', '2-digit']);
    if (time.includes('s')) {
      set('second', ['numeric', '2-digit']);
      set('fractionalSecondDigits', [undefined, undefined, undefined, 1, 2, 3]);
    }
    set('timeZoneName', [undefined, undefined, undefined, 'short', 'long', 'shortOffset', 'longOffset', 'shortGeneric', 'longGeneric']);
  }
  set('timeZone', zoneList);
  const t = pick(instants);
  let f;
  try { f = new Intl.DateTimeFormat(locale, o); } catch (e) { continue; }
  dates.push({ locale, options: o, time: t, format: f.format(new Date(t)) });
}
const randomValues = [0, 1, -1, 0.5, 2.5, 1234.5678, -98765.4321, 1e-7, 0.000123, 999.999, 1e6, 1.5e9, 123456789.987, 7, 42.42];
for (let i = 0; i < 4000; i++) {
  const locale = pick(allLocales);
  const o = {};
  const set = (k, vals) => { const v = pick(vals); if (v !== undefined) o[k] = v; };
  set('style', [undefined, 'percent', 'currency', 'unit']);
  if (o.style === 'currency') {
    set('currency', ['USD', 'EUR', 'JPY', 'GBP', 'CHF', 'INR', 'KWD', 'BRL']);
    o.currency = o.currency || 'USD';
    set('currencyDisplay', [undefined, 'symbol', 'narrowSymbol', 'code', 'name']);
    set('currencySign', [undefined, 'standard', 'accounting']);
  }
  if (o.style === 'unit') {
    o.unit = pick(['kilometer', 'kilogram', 'celsius', 'second', 'megabyte', 'liter-per-kilometer', 'meter-per-second', 'percent', 'day', 'foot']);
    set('unitDisplay', [undefined, 'short', 'long', 'narrow']);
  }
  set('notation', [undefined, undefined, 'compact', 'scientific', 'engineering']);
  if (o.notation === 'compact') set('compactDisplay', [undefined, 'short', 'long']);
  set('signDisplay', [undefined, undefined, 'always', 'exceptZero', 'never', 'negative']);
  set('useGrouping', [undefined, undefined, false, 'always', 'min2']);
  const digits = rand(4);
  if (digits === 1) { o.minimumFractionDigits = rand(3); o.maximumFractionDigits = o.minimumFractionDigits + rand(3); }
  if (digits === 2) { o.maximumSignificantDigits = 1 + rand(5); }
  if (digits === 3) { o.minimumIntegerDigits = 1 + rand(4); }
  set('roundingMode', [undefined, undefined, undefined, 'ceil', 'floor', 'halfEven', 'trunc', 'expand']);
  let f;
  try { f = new Intl.NumberFormat(locale, o); } catch (e) { continue; }
  const value = pick(randomValues);
  numbers.push({ locale, options: o, value, format: f.format(value) });
}

// Unicode extension keywords.
const keywordCases = [
  ['th-TH-u-ca-gregory', {}], ['en-US-u-hc-h23', { hour: 'numeric' }], ['en-US-u-hc-h23', { hour: 'numeric', hour12: true }],
  ['en-US-u-hc-h23', { hour: 'numeric', hourCycle: 'h23' }], ['en-US-u-hc-h23', { hour: 'numeric', hourCycle: 'h12' }],
  ['ar-EG-u-nu-latn', {}], ['en-u-nu-arab-hc-h11', { hour: 'numeric' }], ['en-u-nu-xyz', {}], ['de-u-co-phonebk', {}],
  ['hi-IN-u-nu-deva', { dateStyle: 'medium', timeStyle: 'short' }],
];
for (const [locale, options] of keywordCases) {
  const f = new Intl.DateTimeFormat(locale, options);
  dates.push({ locale, options, time: instants[0], format: f.format(new Date(instants[0])) });
  dates.push({ locale, options, resolved: f.resolvedOptions() });
  const n = new Intl.NumberFormat(locale);
  numbers.push({ locale, options: {}, value: 1234.5, format: n.format(1234.5) });
  numbers.push({ locale, options: {}, resolved: n.resolvedOptions() });
}

const dir = __dirname;
// One case a line keeps diffs readable.
const write = (name, v) => fs.writeFileSync(path.join(dir, name),
  `{"node": ${JSON.stringify(process.versions.node)}, "icu": ${JSON.stringify(process.versions.icu)}, "cldr": ${JSON.stringify(process.versions.cldr)}, "cases": [\n` +
  v.map((c) => JSON.stringify(c)).join(',\n') + '\n]}\n');
write('dates.json', dates);
write('numbers.json', numbers);
write('plurals.json', plurals);
write('locales.json', loc);
write('zones.json', zones);
console.log(`dates ${dates.length}, numbers ${numbers.length}, plurals ${plurals.length}, locales ${loc.length}, zones ${zones.length}`);
