/** The grid page (versions, import, fetching another territory's version) and the grid's honest state. */
export const en = {
  "nav.grid": "Grid",
  "home.grid": "Grid versions: import a newer grid, or one another territory uses",
  "grid.title": "Grid versions",
  "grid.inUse": "In use: {id} {version}",
  "grid.inUse.help":
    "Criteria are classified, and syntheses coded, with this version. Dimensions and components marked provisional have not been checked against the published key.",
  "grid.partial":
    "{confirmed} of {total} entries are confirmed; {provisional} are provisional, {unnamed} not named in this grid version.",
  "grid.held": "Versions held",
  "grid.col.version": "Version",
  "grid.col.state": "State",
  "grid.col.source": "From",
  "grid.col.hash": "Content hash",
  "grid.col.actions": "Actions",
  "grid.state.active": "in use",
  "grid.state.known": "known (figures count it)",
  "grid.state.offered": "offered (not counted until accepted)",
  "grid.source.bundled": "shipped with the node",
  "grid.source.import": "imported",
  "grid.accept": "Accept as known",
  "grid.accept.label": "Accept as known: {version} (figures count syntheses coded with it)",
  "grid.adopt": "Preview its import",
  "grid.adopt.label": "Preview its import: {version}, as the grid in use",
  "grid.unknown": "Versions other territories use",
  "grid.unknown.none": "Every synthesis this node holds is coded with a version it knows.",
  "grid.unknown.help":
    "Syntheses coded with these versions are left out of the figures until you accept the version. Fetching it asks the territory's node for its grid document and checks it; nothing is adopted.",
  "grid.unknown.usedBy": "{id} {version}, used by {territories}",
  "grid.fetch": "Fetch from {territory}",
  "grid.import": "Import a grid file",
  "grid.import.help":
    "A grid file is JSON with its id and version, like the one the node ships. It may carry a mapping from the version in use (renamed, split, merged components); without one, every code keeps its meaning. First check what changes, then apply.",
  "grid.field.file": "Grid file (JSON)",
  "grid.field.text": "Or paste its text",
  "grid.check": "Check what changes",
  "grid.noInput": "Choose a file or paste its text.",
  "grid.refused": "This grid file is refused:",
  "grid.preview": "What importing {version} changes",
  "grid.preview.from": "From {from} to {to}.",
  "grid.preview.added": "New components",
  "grid.preview.relabelled": "Renamed labels",
  "grid.preview.restated": "Status changes",
  "grid.preview.moved": "Codes that move (criteria take the new code)",
  "grid.preview.review":
    "Codes split: their criteria are queued for review on the classification page",
  "grid.preview.none": "none",
  "grid.preview.counts":
    "{moved} criteria move to a new code; {review} criteria will be queued for review. Every other criterion keeps its code.",
  "grid.apply": "Import {version}",
  "grid.applied":
    "{version} is now the grid in use. {review} criteria are queued for review on the classification page.",
  "grid.fetched": "Fetched {version} from {source}: it is offered below; nothing changed yet.",
  "grid.accepted": "{version} is known: figures now count syntheses coded with it.",
  "grid.notNamed": "not named in this grid version",
  "grid.codedWith": "Coded with grid {grid}",
  "grid.codedWith.known": "known here",
  "grid.codedWith.unknown": "a version this node does not know: see Grid",
  "grid.provisional": "provisional",
  "grid.level.grouped":
    "Counted at the level the grid versions share: split or merged components count together.",
  "grid.level.dimension": "Counted per dimension, the level every grid version shares.",
  "grid.level.of": "{version}: {level}",
  "grid.level.component": "per component",
  "grid.level.groupedShort": "components grouped",
  "grid.level.dimensionShort": "per dimension",
  /** Heading of the coverage column saying at which level each synthesis counted. */
  "grid.col.level": "Counted",
  "classify.review.title": "To review after the grid change",
  "classify.review.help":
    "The grid version {to} splits these codes: each criterion keeps its code until you choose a finer one.",
  "classify.review.item": "“{text}” ({question}), coded {code}: now one of {choices}",
  "classify.review.open": "Classify again",
} as const;

export const fr: Record<keyof typeof en, string> = {
  "nav.grid": "Grille",
  "home.grid":
    "Versions de la grille : importer une grille plus récente, ou celle d'un autre territoire",
  "grid.title": "Versions de la grille",
  "grid.inUse": "En usage : {id} {version}",
  "grid.inUse.help":
    "Les critères sont classés, et les synthèses codées, avec cette version. Les dimensions et composantes marquées provisoires n'ont pas été vérifiées sur la clé publiée.",
  "grid.partial":
    "{confirmed} entrées sur {total} sont confirmées ; {provisional} sont provisoires, {unnamed} sans nom dans cette version de la grille.",
  "grid.held": "Versions détenues",
  "grid.col.version": "Version",
  "grid.col.state": "État",
  "grid.col.source": "Provenance",
  "grid.col.hash": "Empreinte du contenu",
  "grid.col.actions": "Actions",
  "grid.state.active": "en usage",
  "grid.state.known": "connue (comptée dans les chiffres)",
  "grid.state.offered": "proposée (non comptée tant qu'elle n'est pas acceptée)",
  "grid.source.bundled": "fournie avec le nœud",
  "grid.source.import": "importée",
  "grid.accept": "Accepter comme connue",
  "grid.accept.label":
    "Accepter comme connue : {version} (les chiffres comptent les synthèses codées avec elle)",
  "grid.adopt": "Voir ce que changerait son import",
  "grid.adopt.label": "Voir ce que changerait son import : {version}, comme grille en usage",
  "grid.unknown": "Versions utilisées par d'autres territoires",
  "grid.unknown.none":
    "Toutes les synthèses que détient ce nœud sont codées avec une version qu'il connaît.",
  "grid.unknown.help":
    "Les synthèses codées avec ces versions sont laissées hors des chiffres tant que vous n'acceptez pas la version. La récupérer demande au nœud du territoire son document de grille et le vérifie ; rien n'est adopté.",
  "grid.unknown.usedBy": "{id} {version}, utilisée par {territories}",
  "grid.fetch": "Récupérer chez {territory}",
  "grid.import": "Importer un fichier de grille",
  "grid.import.help":
    "Un fichier de grille est du JSON avec son identifiant et sa version, comme celui que fournit le nœud. Il peut porter une correspondance depuis la version en usage (composantes renommées, scindées, fusionnées) ; sans elle, chaque code garde son sens. Vérifiez d'abord ce qui change, puis appliquez.",
  "grid.field.file": "Fichier de grille (JSON)",
  "grid.field.text": "Ou collez son texte",
  "grid.check": "Vérifier ce qui change",
  "grid.noInput": "Choisissez un fichier ou collez son texte.",
  "grid.refused": "Ce fichier de grille est refusé :",
  "grid.preview": "Ce que change l'import de {version}",
  "grid.preview.from": "De {from} à {to}.",
  "grid.preview.added": "Nouvelles composantes",
  "grid.preview.relabelled": "Libellés renommés",
  "grid.preview.restated": "Changements de statut",
  "grid.preview.moved": "Codes qui changent (les critères prennent le nouveau code)",
  "grid.preview.review":
    "Codes scindés : leurs critères sont mis en attente de revue sur la page de classement",
  "grid.preview.none": "aucun",
  "grid.preview.counts":
    "{moved} critères passent à un nouveau code ; {review} critères seront mis en attente de revue. Tous les autres gardent leur code.",
  "grid.apply": "Importer {version}",
  "grid.applied":
    "{version} est maintenant la grille en usage. {review} critères attendent une revue sur la page de classement.",
  "grid.fetched":
    "{version} récupérée depuis {source} : elle est proposée ci-dessous ; rien n'a changé.",
  "grid.accepted":
    "{version} est connue : les chiffres comptent maintenant les synthèses codées avec elle.",
  "grid.notNamed": "sans nom dans cette version de la grille",
  "grid.codedWith": "Codée avec la grille {grid}",
  "grid.codedWith.known": "connue ici",
  "grid.codedWith.unknown": "une version que ce nœud ne connaît pas : voir Grille",
  "grid.provisional": "provisoire",
  "grid.level.grouped":
    "Compté au niveau que partagent les versions de la grille : les composantes scindées ou fusionnées comptent ensemble.",
  "grid.level.dimension":
    "Compté par dimension, le niveau que partagent toutes les versions de la grille.",
  "grid.level.of": "{version} : {level}",
  "grid.level.component": "par composante",
  "grid.level.groupedShort": "composantes regroupées",
  "grid.level.dimensionShort": "par dimension",
  "grid.col.level": "Comptée",
  "classify.review.title": "À revoir après le changement de grille",
  "classify.review.help":
    "La version {to} de la grille scinde ces codes : chaque critère garde son code jusqu'à ce que vous en choisissiez un plus fin.",
  "classify.review.item": "« {text} » ({question}), codé {code} : désormais l'un de {choices}",
  "classify.review.open": "Classer de nouveau",
};
