import type { Db } from 'mongodb';
import type { CampaignSpec, CampaignStatus } from '../schemas';

interface CampaignDoc {
  _id: string;
  spec: CampaignSpec;
  pool_id: string | null;
  created_at: string;
  last_status: CampaignStatus | null;
  updated_at: string;
}

/** Records the campaign and its spec (first write wins for created_at). */
export async function registerCampaign(
  db: Db,
  campaignId: string,
  spec: CampaignSpec,
  poolId: string,
): Promise<void> {
  const now = new Date().toISOString();
  await db.collection<CampaignDoc>('campaigns').updateOne(
    { _id: campaignId },
    {
      $setOnInsert: { spec, created_at: now, last_status: null },
      $set: { pool_id: poolId, updated_at: now },
    },
    { upsert: true },
  );
}

/** A snapshot of the workflow's status for readers that cannot query Temporal (dashboards, reports). */
export async function saveCampaignStatus(db: Db, status: CampaignStatus): Promise<void> {
  await db
    .collection<CampaignDoc>('campaigns')
    .updateOne(
      { _id: status.campaign_id },
      { $set: { last_status: status, updated_at: new Date().toISOString() } },
    );
}

export async function getCampaign(db: Db, campaignId: string): Promise<CampaignDoc | null> {
  return db.collection<CampaignDoc>('campaigns').findOne({ _id: campaignId });
}

/** Every campaign, newest first, without its spec. */
export async function listCampaigns(
  db: Db,
): Promise<{ campaign_id: string; name: string; created_at: string; last_status: CampaignStatus | null }[]> {
  const docs = await db.collection<CampaignDoc>('campaigns').find({}).sort({ created_at: -1 }).toArray();
  return docs.map((d) => ({
    campaign_id: d._id,
    name: d.spec.name,
    created_at: d.created_at,
    last_status: d.last_status,
  }));
}
