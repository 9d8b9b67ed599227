/**
 * Function words that carry no topic. English in full; for other languages IDF already
 * discounts what appears everywhere, and a few of the commonest words are listed.
 */
export const STOPWORDS = new Set(
  `about above after again against all also among and any are aren because been before being below
between both but can cannot could did does doing down during each either else even ever every few for
from further had has have having her here hers herself him himself his how however into its itself just
least less let like made make many may might more most much must neither nor not now off often once only
other others otherwise our ours ourselves out over own per rather same see seen shall she should since
some such than that the their theirs them themselves then there therefore these they this those though
through thus too under until upon use used uses using very via was were what when where whether which
while who whom whose why will with within without would yet you your yours yourself yourselves one two
three first second new get gets set sets way well also thing things example examples called following
der die das und den dem des ein eine einer eines mit von für nicht sich auf ist als auch wird werden
les des une est pour dans qui que sur par pas plus sont avec ont aux ces
para que com uma por como mais não dos das ser são pela pelo
это как что для или при его они она так`
    .split(/\s+/)
    .filter(Boolean),
);
