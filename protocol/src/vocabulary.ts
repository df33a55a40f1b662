/** Closed vocabularies shared by every node. Extensible lists (group categories) live on the node. */

export const QUESTIONS = ["Q1", "Q2", "Q3", "Q4"] as const;
export type Question = (typeof QUESTIONS)[number];

export const CLASSIFICATION_STATUSES = ["unclassified", "proposed", "validated"] as const;
export type ClassificationStatus = (typeof CLASSIFICATION_STATUSES)[number];

/** Coarse margins a group may record, as counts only (docs/protocol.md §3). */
export const GENDER_BANDS = ["female", "male", "other-or-undisclosed"] as const;
export const AGE_BANDS = ["under-18", "18-29", "30-44", "45-64", "65-plus"] as const;

/**
 * Group categories every node knows; a node may add its own. "other" is reserved for pooling.
 * English and French are stored on the node; pt, es, it and ar are translations to review.
 */
export const BUILTIN_GROUP_CATEGORIES: ReadonlyArray<{
  code: string;
  en: string;
  fr: string;
  pt: string;
  es: string;
  it: string;
  ar: string;
}> = [
  {
    code: "young-people",
    en: "Young people",
    fr: "Jeunes",
    pt: "Jovens",
    es: "Jóvenes",
    it: "Giovani",
    ar: "الشباب",
  },
  {
    code: "elderly-people",
    en: "Elderly people",
    fr: "Personnes âgées",
    pt: "Pessoas idosas",
    es: "Personas mayores",
    it: "Persone anziane",
    ar: "كبار السن",
  },
  {
    code: "unemployed-people",
    en: "Unemployed people",
    fr: "Personnes sans emploi",
    pt: "Pessoas desempregadas",
    es: "Personas desempleadas",
    it: "Persone disoccupate",
    ar: "العاطلون عن العمل",
  },
  {
    code: "people-in-poverty",
    en: "People in poverty",
    fr: "Personnes en situation de pauvreté",
    pt: "Pessoas em situação de pobreza",
    es: "Personas en situación de pobreza",
    it: "Persone in povertà",
    ar: "أشخاص في وضعية فقر",
  },
  {
    code: "entrepreneurs",
    en: "Entrepreneurs",
    fr: "Entrepreneurs",
    pt: "Empresários",
    es: "Empresarios",
    it: "Imprenditori",
    ar: "رواد الأعمال",
  },
  {
    code: "employees",
    en: "Employees",
    fr: "Salariés",
    pt: "Trabalhadores por conta de outrem",
    es: "Asalariados",
    it: "Lavoratori dipendenti",
    ar: "الأجراء",
  },
  {
    code: "parents",
    en: "Parents",
    fr: "Parents",
    pt: "Pais",
    es: "Madres y padres",
    it: "Genitori",
    ar: "الآباء والأمهات",
  },
  {
    code: "women",
    en: "Women",
    fr: "Femmes",
    pt: "Mulheres",
    es: "Mujeres",
    it: "Donne",
    ar: "النساء",
  },
  {
    code: "students",
    en: "Students",
    fr: "Étudiants",
    pt: "Estudantes",
    es: "Estudiantes",
    it: "Studenti",
    ar: "الطلبة",
  },
  {
    code: "migrants",
    en: "Migrants",
    fr: "Personnes migrantes",
    pt: "Pessoas migrantes",
    es: "Personas migrantes",
    it: "Persone migranti",
    ar: "المهاجرون",
  },
  {
    code: "people-with-disabilities",
    en: "People with disabilities",
    fr: "Personnes en situation de handicap",
    pt: "Pessoas com deficiência",
    es: "Personas con discapacidad",
    it: "Persone con disabilità",
    ar: "الأشخاص في وضعية إعاقة",
  },
  {
    code: "farmers",
    en: "Farmers",
    fr: "Agriculteurs",
    pt: "Agricultores",
    es: "Agricultores",
    it: "Agricoltori",
    ar: "الفلاحون",
  },
  {
    code: "elected-officials",
    en: "Elected officials",
    fr: "Élus",
    pt: "Eleitos",
    es: "Cargos electos",
    it: "Amministratori eletti",
    ar: "المنتخبون",
  },
  {
    code: "civil-servants",
    en: "Civil servants",
    fr: "Agents publics",
    pt: "Funcionários públicos",
    es: "Funcionarios públicos",
    it: "Dipendenti pubblici",
    ar: "الموظفون العموميون",
  },
  {
    code: "associations",
    en: "Association members",
    fr: "Membres d'associations",
    pt: "Membros de associações",
    es: "Miembros de asociaciones",
    it: "Membri di associazioni",
    ar: "أعضاء الجمعيات",
  },
  {
    code: "residents",
    en: "Residents (mixed)",
    fr: "Habitants (mixte)",
    pt: "Moradores (misto)",
    es: "Vecinos (mixto)",
    it: "Abitanti (misto)",
    ar: "السكان (مختلط)",
  },
];

/**
 * A group category's label in a language: the node's stored English and French labels, the
 * builtin translations for the other languages, else English.
 */
export function groupCategoryLabel(
  category: { code: string; labelEn: string; labelFr: string },
  language: "en" | "fr" | "pt" | "es" | "it" | "ar",
): string {
  if (language === "en") return category.labelEn;
  if (language === "fr") return category.labelFr;
  const builtin = BUILTIN_GROUP_CATEGORIES.find((c) => c.code === category.code);
  return builtin?.[language] ?? category.labelEn;
}

export const POOLED_CATEGORY = "other";
