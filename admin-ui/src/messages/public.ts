/** Strings of the public pages (no login): home, territory, synthesis, meeting, figures. */
export const en = {
  "public.site": "Spiral Network",
  "public.notFound.title": "Page not found",
  "public.notFound.body":
    "Nothing public is at this address: it may have been withdrawn, be visible to followers only, or never have existed.",
  "public.notFound.home": "Back to this node's home page",
  "public.nav.home": "Home",
  "public.nav.figures": "Network figures",
  "public.footer.api": "API: OpenAPI description",
  "public.footer.workspace": "Facilitator workspace",
  "public.home.title": "Spiral Network node",
  "public.home.intro":
    "A territory of co-responsibility on the Spiral Network: citizens' well-being criteria (SPIRAL method), shared as anonymised syntheses.",
  "public.home.none": "This node does not host a territory yet.",
  "public.synthesis.figures": "{criteria} criteria · {participants} participants · {groups} groups",
  "public.json": "JSON",
  "public.territory.kind": "territory of co-responsibility (SPIRAL method)",
  "public.territory.description":
    "{name} ({place}) on the Spiral Network: published well-being syntheses and upcoming meetings.",
  "public.territory.figures": "Network figures for {country}",
  "public.follow.title": "Follow from Mastodon",
  "public.follow.howto":
    "In Mastodon (or another fediverse app), paste this address into the search box, open the profile it finds and press Follow.",
  "public.meetings": "Upcoming meetings",
  "public.meetings.none": "None announced.",
  "public.calendar": "Subscribe in your calendar app:",
  "public.syntheses": "Published syntheses",
  "public.syntheses.none": "None yet.",
  "public.synthesis.item": "{period} — version {version}",
  "public.synthesis.meta": "version {version}, {date}",
  "public.synthesis.title": "Well-being synthesis — {name} — {period}",
  "public.synthesis.intro":
    "{name}: {criteria} criteria written by {participants} citizens in {groups} homogeneous groups (SPIRAL method).",
  "public.synthesis.intro.oneGroup":
    "{name}: {criteria} criteria written by {participants} citizens in one homogeneous group (SPIRAL method).",
  "public.synthesis.version": "Version {version}, published {date} · content hash",
  "public.synthesis.gone": "This synthesis was withdrawn by its territory.",
  "public.synthesis.coverage": "What it covers",
  "public.synthesis.period": "Period",
  "public.synthesis.groups": "Homogeneous groups",
  "public.synthesis.participants": "Citizens taking part",
  "public.synthesis.criteria": "Criteria counted",
  "public.synthesis.print":
    "To hand it out (to a municipal council, say), print this page or save it as PDF from your browser's print dialog: the printout keeps the figures, the coverage and the content hash.",
  "public.synthesis.source": "Published on the Spiral Network: {url}",
  "public.meeting.cancelled": "Cancelled:",
  "public.meeting.ics": "Add to your calendar (.ics)",
  "public.meeting.register": "Register",
  "public.meeting.gone": "This meeting was deleted by its territory.",
  "public.feed.link": "Atom feed",
  "public.feed.syntheses": "{name}: published syntheses",
  "public.feed.meetings": "{name}: upcoming meetings",
  "public.feed.received": "Syntheses received from the network",
  "public.feed.received.intro":
    "The latest synthesis of each territory and period this node holds from the network (withdrawn ones are gone).",
  "public.feed.node": "Spiral Network node {host}",
  "public.figures.title": "Network figures",
  "public.figures.intro":
    "Sums of the latest syntheses this node holds from every territory of the network, its own included. Each figure says which syntheses it covers.",
} as const;

export const fr: Record<keyof typeof en, string> = {
  "public.site": "Réseau Spirale",
  "public.notFound.title": "Page introuvable",
  "public.notFound.body":
    "Rien de public à cette adresse : la page a peut-être été retirée, est réservée aux abonnés, ou n'a jamais existé.",
  "public.notFound.home": "Retour à l'accueil de ce nœud",
  "public.nav.home": "Accueil",
  "public.nav.figures": "Chiffres du réseau",
  "public.footer.api": "API : description OpenAPI",
  "public.footer.workspace": "Espace des animateurs",
  "public.home.title": "Nœud du Réseau Spirale",
  "public.home.intro":
    "Un territoire de coresponsabilité du Réseau Spirale : les critères de bien-être des citoyens (méthode SPIRAL), partagés sous forme de synthèses anonymisées.",
  "public.home.none": "Ce nœud n'héberge pas encore de territoire.",
  "public.synthesis.figures":
    "{criteria} critères · {participants} participants · {groups} groupes",
  "public.json": "JSON",
  "public.territory.kind": "territoire de coresponsabilité (méthode SPIRAL)",
  "public.territory.description":
    "{name} ({place}) sur le Réseau Spirale : synthèses du bien-être publiées et prochaines rencontres.",
  "public.territory.figures": "Chiffres du réseau pour {country}",
  "public.follow.title": "Suivre depuis Mastodon",
  "public.follow.howto":
    "Dans Mastodon (ou une autre application du fédivers), collez cette adresse dans la barre de recherche, ouvrez le profil trouvé et cliquez sur Suivre.",
  "public.meetings": "Prochaines rencontres",
  "public.meetings.none": "Aucune annoncée.",
  "public.calendar": "Abonnez-vous dans votre agenda :",
  "public.syntheses": "Synthèses publiées",
  "public.syntheses.none": "Aucune pour l'instant.",
  "public.synthesis.item": "{period} — version {version}",
  "public.synthesis.meta": "version {version}, {date}",
  "public.synthesis.title": "Synthèse du bien-être — {name} — {period}",
  "public.synthesis.intro":
    "{name} : {criteria} critères écrits par {participants} citoyens dans {groups} groupes homogènes (méthode SPIRAL).",
  "public.synthesis.intro.oneGroup":
    "{name} : {criteria} critères écrits par {participants} citoyens dans un groupe homogène (méthode SPIRAL).",
  "public.synthesis.version": "Version {version}, publiée le {date} · empreinte du contenu",
  "public.synthesis.gone": "Cette synthèse a été retirée par son territoire.",
  "public.synthesis.coverage": "Ce qu'elle couvre",
  "public.synthesis.period": "Période",
  "public.synthesis.groups": "Groupes homogènes",
  "public.synthesis.participants": "Citoyens participants",
  "public.synthesis.criteria": "Critères comptés",
  "public.synthesis.print":
    "Pour la remettre (à un conseil municipal, par exemple), imprimez cette page ou enregistrez-la en PDF depuis la boîte d'impression du navigateur : l'impression garde les chiffres, la couverture et l'empreinte du contenu.",
  "public.synthesis.source": "Publiée sur le Réseau Spirale : {url}",
  "public.meeting.cancelled": "Annulée :",
  "public.meeting.ics": "Ajouter à votre agenda (.ics)",
  "public.meeting.register": "S'inscrire",
  "public.meeting.gone": "Cette rencontre a été supprimée par son territoire.",
  "public.feed.link": "Flux Atom",
  "public.feed.syntheses": "{name} : synthèses publiées",
  "public.feed.meetings": "{name} : prochaines rencontres",
  "public.feed.received": "Synthèses reçues du réseau",
  "public.feed.received.intro":
    "La dernière synthèse de chaque territoire et période que ce nœud tient du réseau (celles retirées n'y sont plus).",
  "public.feed.node": "Nœud du Réseau Spirale {host}",
  "public.figures.title": "Chiffres du réseau",
  "public.figures.intro":
    "Sommes des dernières synthèses que ce nœud connaît, de tous les territoires du réseau, le sien compris. Chaque chiffre indique les synthèses qu'il couvre.",
};
