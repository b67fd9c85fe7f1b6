import { parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * A contact's time zone for calling windows: from a region or city named in the list, else from the
 * number's country, else the company's zone. Russia spans eleven zones, so its regions are listed;
 * other countries use their main zone.
 */
const regions: Array<[RegExp, string]> = [
  [/калининград/i, 'Europe/Kaliningrad'],
  [/самар|ульянов|удмурт|ижевск|астрахан|саратов/i, 'Europe/Samara'],
  [/екатеринбург|свердлов|челябинск|тюмен|перм|курган|оренбург|башкорт|уфа|ханты|ямал/i, 'Asia/Yekaterinburg'],
  [/омск/i, 'Asia/Omsk'],
  [/новосибирск|томск|барнаул|алтай/i, 'Asia/Novosibirsk'],
  [/красноярск|кемеров|новокузнецк|хакас|тыва|тува/i, 'Asia/Krasnoyarsk'],
  [/иркутск|бурят|улан-удэ/i, 'Asia/Irkutsk'],
  [/якутск|якутия|саха|чита|забайкал|амур|благовещенск/i, 'Asia/Yakutsk'],
  [/владивосток|примор|хабаровск|еврейск/i, 'Asia/Vladivostok'],
  [/магадан|сахалин/i, 'Asia/Magadan'],
  [/камчат|чукот/i, 'Asia/Kamchatka'],
  [/москв|петербург|ленинград|казан|татарстан|нижн|воронеж|ростов|краснодар|сочи|крым|ярослав|тул[аь]|рязан|калуг|твер|смоленск|брянск|курск|белгород|липецк|тамбов|пенз|мордов|чуваш|марий|киров|вологд|архангел|мурманск|карел|коми|новгород|псков|иванов|костром|владимир|ставрополь|дагестан|чечн|волгоград/i, 'Europe/Moscow'],
  [/київ|киев|харк|одес|дніпр|днепр|львів|львов|запоріж|запорож|україн|украин/i, 'Europe/Kyiv'],
  [/алмат|астана|казахстан/i, 'Asia/Almaty'],
  [/минск|беларус|белорус/i, 'Europe/Minsk'],
];

const countries: Record<string, string> = {
  RU: 'Europe/Moscow',
  UA: 'Europe/Kyiv',
  BY: 'Europe/Minsk',
  KZ: 'Asia/Almaty',
  UZ: 'Asia/Tashkent',
  KG: 'Asia/Bishkek',
  AM: 'Asia/Yerevan',
  GE: 'Asia/Tbilisi',
  AZ: 'Asia/Baku',
  MD: 'Europe/Chisinau',
  LV: 'Europe/Riga',
  LT: 'Europe/Vilnius',
  EE: 'Europe/Tallinn',
  PL: 'Europe/Warsaw',
  DE: 'Europe/Berlin',
  TR: 'Europe/Istanbul',
  GB: 'Europe/London',
};

export function timezoneFor(region: string, phone: string, fallback: string): string {
  if (region) for (const [re, tz] of regions) if (re.test(region)) return tz;
  const country = parsePhoneNumberFromString(phone)?.country;
  return (country && countries[country]) || fallback;
}
