/** Closed vocabularies shared by every node. Extensible lists (group categories) live on the node. */

export const QUESTIONS = ["Q1", "Q2", "Q3", "Q4"] as const;
export type Question = (typeof QUESTIONS)[number];

export const CLASSIFICATION_STATUSES = ["unclassified", "proposed", "validated"] as const;
export type ClassificationStatus = (typeof CLASSIFICATION_STATUSES)[number];

/** Coarse margins a group may record, as counts only (docs/protocol.md §3). */
export const GENDER_BANDS = ["female", "male", "other-or-undisclosed"] as const;
export const AGE_BANDS = ["under-18", "18-29", "30-44", "45-64", "65-plus"] as const;

/** Group categories every node knows; a node may add its own. "other" is reserved for pooling. */
export const BUILTIN_GROUP_CATEGORIES: ReadonlyArray<{ code: string; en: string; fr: string }> = [
  { code: "young-people", en: "Young people", fr: "Jeunes" },
  { code: "elderly-people", en: "Elderly people", fr: "Personnes âgées" },
  { code: "unemployed-people", en: "Unemployed people", fr: "Personnes sans emploi" },
  { code: "people-in-poverty", en: "People in poverty", fr: "Personnes en situation de pauvreté" },
  { code: "entrepreneurs", en: "Entrepreneurs", fr: "Entrepreneurs" },
  { code: "employees", en: "Employees", fr: "Salariés" },
  { code: "parents", en: "Parents", fr: "Parents" },
  { code: "women", en: "Women", fr: "Femmes" },
  { code: "students", en: "Students", fr: "Étudiants" },
  { code: "migrants", en: "Migrants", fr: "Personnes migrantes" },
  {
    code: "people-with-disabilities",
    en: "People with disabilities",
    fr: "Personnes en situation de handicap",
  },
  { code: "farmers", en: "Farmers", fr: "Agriculteurs" },
  { code: "elected-officials", en: "Elected officials", fr: "Élus" },
  { code: "civil-servants", en: "Civil servants", fr: "Agents publics" },
  { code: "associations", en: "Association members", fr: "Membres d'associations" },
  { code: "residents", en: "Residents (mixed)", fr: "Habitants (mixte)" },
];

export const POOLED_CATEGORY = "other";
