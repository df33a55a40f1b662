/** Strings about the node's operation: a full disk, a repeated import. */
export const en = {
  "storageFull.title": "The node's disk is full",
  "storageFull.body":
    "Nothing was saved: the server that runs this node has no space left. Everything can still be read. Tell the node's operator to free some space; saving works again by itself as soon as there is room, then send this form again.",
  "import.alreadyImported":
    "These rows were already imported on {date} ({rows} criteria). Importing them again would add them a second time.",
} as const;

export const fr: Record<keyof typeof en, string> = {
  "storageFull.title": "Le disque du nœud est plein",
  "storageFull.body":
    "Rien n'a été enregistré : le serveur qui fait tourner ce nœud n'a plus de place. Tout reste consultable. Prévenez la personne qui gère le nœud pour qu'elle libère de l'espace ; l'enregistrement refonctionne de lui-même dès qu'il y a de la place, renvoyez alors ce formulaire.",
  "import.alreadyImported":
    "Ces lignes ont déjà été importées le {date} ({rows} critères). Les importer de nouveau les ajouterait une seconde fois.",
};
