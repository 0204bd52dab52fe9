"""The seed README's handler, working: the record whose id is in the URL,
read through the pool the plugin keeps on the app, rendered as HTML."""

from heaven import Context, Request, Response

from .schemas import Patient


async def get_record_by_id(req: Request, res: Response, ctx: Context):
    patient_id = req.params["id"]  # an int already: the route says :id:int

    # The seed kept a connection as 'dbconnection'; the plugin keeps its pool as 'db'.
    db = req.app.peek("db")
    patient = await db.fetchrow("SELECT * FROM patients WHERE id = $1", patient_id, bind=Patient)

    # req, res and ctx are available in the template
    ctx.keep("patient", patient)
    if patient is None:
        res.status = 404
    await res.render("patients.html")
