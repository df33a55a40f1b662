/** Strings of the classification suggestions and shortcuts (the rest of the queue is in i18n.ts). */
export const en = {
  "classify.suggestions": "Suggestions",
  "classify.suggestions.intro":
    "Computed from the criteria already validated on this node that share words with this one, and from the words of the grid labels. Check before choosing.",
  "classify.suggestions.none":
    "No suggestion: no validated criterion and no grid label shares a word with this criterion.",
  "classify.suggestion.propose": "Propose {code}",
  "classify.suggestion.key": "shortcut",
  "classify.suggestion.because": "Similar validated criteria:",
  "classify.suggestion.labelWords": "Words shared with the grid (labels, keywords): {words}",
  "classify.keys.suggestions":
    "1, 2 and 3 propose the first, second and third suggestion. Press them with your browser's access key: Alt (Chrome, Edge) or Alt+Shift (Firefox) on Windows and Linux, Control+Option on a Mac.",
  "classify.next.review": "Proposed codes waiting for a check: {count}",
  "classify.next.queue": "Criteria still without a code: {count}",
  "classify.next.synthesis": "Everything is classified: see the synthesis",
} as const;

export const fr: Record<keyof typeof en, string> = {
  "classify.suggestions": "Suggestions",
  "classify.suggestions.intro":
    "Calculées à partir des critères déjà validés sur ce nœud qui partagent des mots avec celui-ci, et des mots des libellés de la grille. Vérifiez avant de choisir.",
  "classify.suggestions.none":
    "Aucune suggestion : aucun critère validé ni libellé de la grille ne partage de mot avec ce critère.",
  "classify.suggestion.propose": "Proposer {code}",
  "classify.suggestion.key": "raccourci",
  "classify.suggestion.because": "Critères validés semblables :",
  "classify.suggestion.labelWords": "Mots en commun avec la grille (libellés, mots-clés) : {words}",
  "classify.keys.suggestions":
    "1, 2 et 3 proposent la première, la deuxième et la troisième suggestion. Appuyez-les avec la touche d'accès de votre navigateur : Alt (Chrome, Edge) ou Alt+Maj (Firefox) sous Windows et Linux, Contrôle+Option sur un Mac.",
  "classify.next.review": "Codes proposés en attente de vérification : {count}",
  "classify.next.queue": "Critères encore sans code : {count}",
  "classify.next.synthesis": "Tout est classé : voir la synthèse",
};
