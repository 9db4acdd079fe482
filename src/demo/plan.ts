/**
 * The day's plan from the seed: the crowd, the mock platforms' fixtures and the dossiers. Pure, so
 * every process of a multi-instance demo derives the same plan from the same seed.
 */
import { fixtures as mockFixtures } from '../testing/fixtures.js';
import { demoFixtures, generateCitizens } from './population.js';
import { Rng } from './random.js';
import { planDay } from './workload.js';

export function planDemoDay(seed: number, dossiers: number) {
  const crowd = generateCitizens(
    new Rng(seed, 'population'),
    dossiers,
    mockFixtures.wards.map((w) => w.code),
  );
  const fixtures = demoFixtures(crowd);
  const people = [...mockFixtures.citizens, ...crowd];
  const plans = planDay(seed, dossiers, people, fixtures);
  return { fixtures, plans };
}
