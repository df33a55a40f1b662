/** Strings of the publishing guards: what is not counted, the confirmations, undoing a deletion. */
export const en = {
  "publish.pending": "Not counted",
  "publish.pending.none": "All {total} criteria of this period's groups are validated and counted.",
  "publish.pending.unclassified":
    "{count} criteria ({share}) are unclassified: they have no code of the grid yet, so they are not counted.",
  "publish.pending.proposed":
    "{count} criteria ({share}) have a proposed code not yet validated with the group: they are not counted.",
  "publish.pending.counted": "{count} criteria ({share}) are validated and counted.",
  "publish.pending.classify": "Classify them",
  "publish.upToDate":
    "Version {version} is published and nothing has changed since: there is nothing new to publish.",
  "publish.form.blockedNoButton":
    "As it stands the synthesis cannot be published (see the reasons above).",
  "publish.review": "Review and publish…",
  "publish.confirm.title": "Publish version {version}?",
  "publish.confirm.intro":
    "Once sent, a version cannot be taken back from the servers that received it: it can only be withdrawn (they are told to delete it).",
  "publish.confirm.what": "What followers will receive",
  "publish.confirm.version": "Version {version} of the synthesis {period}",
  "publish.confirm.correction": "marked as a correction of version {version}",
  "publish.confirm.figures":
    "Groups: {groups}; participants: {participants}; validated criteria: {criteria}, counted by code of the grid (never the words of a criterion)",
  "publish.confirm.followers": "Sent to {count} following territories and accounts",
  "publish.confirm.noFollowers":
    "No one follows this territory yet: it appears on the public page only",
  "publish.confirm.subnetworks": "Also passed on to the members of: {names}",
  "publish.confirm.yes": "Yes, publish version {version}",
  "publish.confirm.back": "Back to the preview",
  "publish.changed":
    "The figures changed while you were reviewing them (a criterion was classified or deleted). Here is what publishing would send now.",
  "withdraw.confirm.title": "Withdraw version {version}?",
  "withdraw.confirm.body":
    "Version {version} of the synthesis {period} leaves the public page, and its {count} followers are told to delete it: its figures disappear from the network's figures within seconds. This cannot be undone; you may publish a new version later.",
  "withdraw.confirm.yes": "Yes, withdraw version {version}",
  "undo.group": "Group “{label}” deleted with its criteria.",
  "undo.until": "You can undo this until {time} (UTC).",
  "undo.button": "Undo",
  "undo.criterionRestored": "Criterion restored.",
  "undo.groupRestored": "Group “{label}” restored.",
  "undo.expired": "It is too late to undo: the deletion is final.",
  "group.delete": "Delete this group",
  "group.delete.title": "Delete the group “{label}”?",
  "group.delete.body":
    "The group and its {count} criteria leave the syntheses at once. You can undo it for {minutes} minutes; after that it is deleted for good.",
  "group.delete.yes": "Yes, delete the group",
  "group.delete.no": "No, keep it",
  "import.checking": "Checking the file: a large one takes a few seconds…",
  "import.saving": "Saving the criteria…",
  "import.again":
    "This import was already saved ({count} criteria): sending the form again did not save them twice.",
  "criteria.pages": "Pages of criteria",
  "criteria.pages.first": "First page",
  "criteria.pages.previous": "Previous page",
  "criteria.pages.next": "Next page",
  "criteria.pages.last": "Last page",
  "criteria.pages.current": "Page {number} of {count}",
  "profile.task": "Edit the territory's profile (name, description, languages, links)",
  "profile.title": "Territory profile",
  "profile.intro":
    "This is what other territories and Mastodon users see on your territory's profile. Followers see the change when their server next reads the profile.",
  "profile.name": "Territory name",
  "profile.description": "Description (optional)",
  "profile.description.hint": "A few sentences: where the territory is, who takes part.",
  "profile.links": "Links (optional)",
  "profile.links.hint":
    "Up to 5: the territory's website, a partner's page. Both a name and an address.",
  "profile.link.label": "Name of link {n}",
  "profile.link.url": "Address of link {n}",
  "profile.save": "Save the profile",
  "profile.saved": "The profile is saved.",
  "profile.unchanged": "Nothing changed.",
  "profile.error.description": "At most 5000 characters.",
  "profile.error.name": "1 to 200 characters.",
  "profile.error.linkLabel": "Give the link a name (at most 60 characters).",
  "profile.error.linkUrl": "A web address starting with https://",
};

export const fr: Record<keyof typeof en, string> = {
  "publish.pending": "Non comptés",
  "publish.pending.none":
    "Les {total} critères des groupes de cette période sont tous validés et comptés.",
  "publish.pending.unclassified":
    "{count} critères ({share}) ne sont pas classés : ils n'ont pas encore de code de la grille, ils ne sont donc pas comptés.",
  "publish.pending.proposed":
    "{count} critères ({share}) ont un code proposé, pas encore validé avec le groupe : ils ne sont pas comptés.",
  "publish.pending.counted": "{count} critères ({share}) sont validés et comptés.",
  "publish.pending.classify": "Les classer",
  "publish.upToDate":
    "La version {version} est publiée et rien n'a changé depuis : il n'y a rien de nouveau à publier.",
  "publish.form.blockedNoButton":
    "En l'état, la synthèse ne peut pas être publiée (voir les raisons ci-dessus).",
  "publish.review": "Vérifier et publier…",
  "publish.confirm.title": "Publier la version {version} ?",
  "publish.confirm.intro":
    "Une fois envoyée, une version ne peut pas être reprise aux serveurs qui l'ont reçue : elle peut seulement être retirée (ils sont priés de la supprimer).",
  "publish.confirm.what": "Ce que les abonnés recevront",
  "publish.confirm.version": "La version {version} de la synthèse {period}",
  "publish.confirm.correction": "marquée comme correction de la version {version}",
  "publish.confirm.figures":
    "Groupes : {groups} ; participants : {participants} ; critères validés : {criteria}, comptés par code de la grille (jamais les mots d'un critère)",
  "publish.confirm.followers": "Envoyée à {count} territoires et comptes abonnés",
  "publish.confirm.noFollowers":
    "Personne ne suit encore ce territoire : elle n'apparaît que sur la page publique",
  "publish.confirm.subnetworks": "Transmise aussi aux membres de : {names}",
  "publish.confirm.yes": "Oui, publier la version {version}",
  "publish.confirm.back": "Retour à l'aperçu",
  "publish.changed":
    "Les chiffres ont changé pendant votre vérification (un critère a été classé ou supprimé). Voici ce que la publication enverrait maintenant.",
  "withdraw.confirm.title": "Retirer la version {version} ?",
  "withdraw.confirm.body":
    "La version {version} de la synthèse {period} quitte la page publique, et ses {count} abonnés sont priés de la supprimer : ses chiffres disparaissent des chiffres du réseau en quelques secondes. C'est définitif ; vous pourrez publier une nouvelle version plus tard.",
  "withdraw.confirm.yes": "Oui, retirer la version {version}",
  "undo.group": "Groupe « {label} » supprimé avec ses critères.",
  "undo.until": "Vous pouvez l'annuler jusqu'à {time} (UTC).",
  "undo.button": "Annuler la suppression",
  "undo.criterionRestored": "Critère rétabli.",
  "undo.groupRestored": "Groupe « {label} » rétabli.",
  "undo.expired": "Il est trop tard pour annuler : la suppression est définitive.",
  "group.delete": "Supprimer ce groupe",
  "group.delete.title": "Supprimer le groupe « {label} » ?",
  "group.delete.body":
    "Le groupe et ses {count} critères quittent aussitôt les synthèses. Vous pouvez l'annuler pendant {minutes} minutes ; ensuite il est supprimé pour de bon.",
  "group.delete.yes": "Oui, supprimer le groupe",
  "group.delete.no": "Non, le garder",
  "import.checking": "Vérification du fichier : un gros fichier prend quelques secondes…",
  "import.saving": "Enregistrement des critères…",
  "import.again":
    "Cette importation était déjà enregistrée ({count} critères) : renvoyer le formulaire ne les a pas enregistrés deux fois.",
  "criteria.pages": "Pages de critères",
  "criteria.pages.first": "Première page",
  "criteria.pages.previous": "Page précédente",
  "criteria.pages.next": "Page suivante",
  "criteria.pages.last": "Dernière page",
  "criteria.pages.current": "Page {number} sur {count}",
  "profile.task": "Modifier le profil du territoire (nom, description, langues, liens)",
  "profile.title": "Profil du territoire",
  "profile.intro":
    "C'est ce que les autres territoires et les utilisateurs de Mastodon voient sur le profil de votre territoire. Les abonnés voient le changement quand leur serveur relit le profil.",
  "profile.name": "Nom du territoire",
  "profile.description": "Description (facultatif)",
  "profile.description.hint": "Quelques phrases : où se trouve le territoire, qui y participe.",
  "profile.links": "Liens (facultatif)",
  "profile.links.hint":
    "Jusqu'à 5 : le site du territoire, la page d'un partenaire. Un nom et une adresse pour chacun.",
  "profile.link.label": "Nom du lien {n}",
  "profile.link.url": "Adresse du lien {n}",
  "profile.save": "Enregistrer le profil",
  "profile.saved": "Le profil est enregistré.",
  "profile.unchanged": "Rien n'a changé.",
  "profile.error.description": "5000 caractères au plus.",
  "profile.error.name": "1 à 200 caractères.",
  "profile.error.linkLabel": "Donnez un nom au lien (60 caractères au plus).",
  "profile.error.linkUrl": "Une adresse web commençant par https://",
};
