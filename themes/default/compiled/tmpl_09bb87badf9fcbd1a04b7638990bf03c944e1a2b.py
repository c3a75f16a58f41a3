# Made by `python -m mdpm.render` from the default theme's metrics.html: Jinja's compiled form of it. Do not edit.
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'metrics.html'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    pass
    parent_template = environment.get_template('base.html', 'metrics.html')
    for name, parent_block in parent_template.blocks.items():
        context.blocks.setdefault(name, []).append(parent_block)
    yield from parent_template.root_render_func(context)

def block_title(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    pass
    yield 'Flow metrics'

def block_head(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    pass
    yield '<style>\n.metric-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); gap: .75rem; margin: 1rem 0 1.5rem; padding: 0; list-style: none; }\n.metric { background: var(--surface); border: 1px solid var(--line); border-radius: var(--radius); padding: .75rem .9rem; box-shadow: var(--shadow); }\n.metric-value { display: block; font-size: 1.45rem; font-weight: 650; line-height: 1.2; }\n.metric-label { display: block; font-weight: 600; font-size: .9rem; }\n.metric-hint { display: block; color: var(--muted); font-size: .8rem; margin-top: .25rem; }\n.chart-figure { background: var(--surface); border: 1px solid var(--line); border-radius: var(--radius); padding: 1rem; margin: 0 0 1.5rem; box-shadow: var(--shadow); }\n.chart-figure svg.chart { width: 100%; height: auto; max-width: 100%; display: block; }\n.chart .grid { stroke: var(--line); stroke-width: 1; }\n.chart .axis { stroke: var(--line-strong); stroke-width: 1; }\n.chart .tick { font: 11px var(--font); fill: var(--muted); }\n/* The percentile lines keep their colour; their labels are text and need AA contrast. */\n.chart .label { font: 600 11px var(--font); fill: var(--text); }\n.chart-figure details { margin-top: .75rem; }\n.chart-figure h2 { margin-top: 0; }\n.chart-figure summary { cursor: pointer; color: var(--accent); }\n.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 34rem), 1fr)); gap: 0 1.5rem; }\ntd.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }\ntr.is-bottleneck th { color: var(--danger); }\n</style>\n'

def block_content(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_site = resolve('site')
    l_0_m = missing
    try:
        t_1 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    try:
        t_2 = environment.filters['plural']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'plural' found.")
    try:
        t_3 = environment.filters['safe']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'safe' found.")
    try:
        t_4 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    l_0_m = environment.getattr(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'extras'), 'metrics')
    _block_vars['m'] = l_0_m
    yield '<div class="page-head">\n  <h1>Flow metrics</h1>\n  <p class="lede">How work flows, read from the git history of the task files · as of '
    yield escape(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'as_of'))
    yield '</p>\n</div>\n'
    if (not environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'available')):
        pass
        yield '<div class="panel panel-warn history-missing" data-history="none">\n  <h2>History is missing</h2>\n  <p>'
        yield escape(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'message'))
        yield '.</p>\n  <p>The flow metrics come from the commits that changed each task’s <code>stage:</code>. Build from a git clone with its full history; in GitHub Actions set <code>fetch-depth: 0</code> on <code>actions/checkout</code>. Nothing here is guessed.</p>\n</div>\n'
    else:
        pass
        if (environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'status') == 'shallow'):
            pass
            yield '<div class="panel panel-warn history-partial" data-history="shallow"><p><strong>History is partial.</strong> '
            yield escape(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'message'))
            yield '.</p></div>\n'
        if (environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'created_done') or (not environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'history_start'))):
            pass
            yield '<div class="panel history-unknown" data-history-unknown="'
            yield escape(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'created_done'))
            yield '">\n'
            if environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'created_done'):
                pass
                yield '<p><strong>'
                yield escape(t_2(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'created_done'), 'task'))
                yield ' '
                yield escape(('was' if (environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'created_done') == 1) else 'were'))
                yield ' created already done.</strong> The history shows when '
                yield escape(('its file was' if (environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'created_done') == 1) else 'their files were'))
                yield ' added, not when the work was finished, so '
                yield escape(('it is' if (environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'created_done') == 1) else 'they are'))
                yield ' left out of cycle time, lead time, throughput, the cumulative flow and the forecast.</p>'
            if environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'history_start'):
                pass
                yield '<p>The first stage change in the history is on <time datetime="'
                yield escape(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'history_start'))
                yield '">'
                yield escape(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'history_start'))
                yield '</time>; throughput and the forecast count from that week.</p>\n'
            else:
                pass
                yield '<p>No task has changed stage since its file was added, so there is no throughput and no forecast yet. They appear as tasks move.</p>'
            yield '</div>\n'
        yield '<ul class="metric-grid">\n'
        for (l_1_label, l_1_value, l_1_hint) in environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'summary'):
            _loop_vars = {}
            pass
            yield '  <li class="metric"><span class="metric-label">'
            yield escape(l_1_label)
            yield '</span><span class="metric-value">'
            yield escape(l_1_value)
            yield '</span><span class="metric-hint">'
            yield escape(l_1_hint)
            yield '</span></li>\n'
        l_1_label = l_1_value = l_1_hint = missing
        yield '</ul>\n\n<div class="charts">\n'
        l_1_loop = missing
        for l_1_c, l_1_loop in LoopContext(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'charts'), undefined):
            _loop_vars = {}
            pass
            yield '<figure class="chart-figure" id="'
            yield escape(environment.getattr(l_1_c, 'id'))
            yield '" aria-labelledby="'
            yield escape(environment.getattr(l_1_c, 'id'))
            yield '-h">\n  <h2 id="'
            yield escape(environment.getattr(l_1_c, 'id'))
            yield '-h">'
            yield escape(environment.getattr(l_1_c, 'title'))
            yield '</h2>\n'
            if environment.getattr(l_1_c, 'svg'):
                pass
                yield '  <div class="svg-scroll">'
                yield escape(t_3(environment.getattr(l_1_c, 'svg')))
                yield '</div>\n  <figcaption>'
                yield escape(environment.getattr(l_1_c, 'desc'))
                yield '</figcaption>\n  <details>\n    <summary>Data table</summary>\n    <div class="table-scroll" tabindex="0" role="region" aria-labelledby="'
                yield escape(environment.getattr(l_1_c, 'id'))
                yield '-h">\n    <table>\n      <caption class="visually-hidden">'
                yield escape(environment.getattr(l_1_c, 'title'))
                yield ': the data of the chart</caption>\n      <thead><tr>'
                l_2_loop = missing
                for l_2_h, l_2_loop in LoopContext(environment.getattr(l_1_c, 'headers'), undefined):
                    _loop_vars = {}
                    pass
                    yield '<th scope="col"'
                    if (not environment.getattr(l_2_loop, 'first')):
                        pass
                        yield ' class="num"'
                    yield '>'
                    yield escape(l_2_h)
                    yield '</th>'
                l_2_loop = l_2_h = missing
                yield '</tr></thead>\n      <tbody>\n'
                l_2_loop = missing
                for l_2_row, l_2_loop in LoopContext(environment.getattr(l_1_c, 'rows'), undefined):
                    _loop_vars = {}
                    pass
                    yield '<tr>'
                    l_3_loop = missing
                    for l_3_cell, l_3_loop in LoopContext(l_2_row, undefined):
                        l_3_root = resolve('root')
                        _loop_vars = {}
                        pass
                        if environment.getattr(l_3_loop, 'first'):
                            pass
                            yield '<th scope="row">'
                            if (l_3_cell in environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'tasks')):
                                pass
                                yield '<a href="'
                                yield escape((undefined(name='root') if l_3_root is missing else l_3_root))
                                yield escape(environment.getattr(environment.getitem(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'tasks'), l_3_cell), 'url'))
                                yield '">'
                                yield escape(l_3_cell)
                                yield '</a>'
                            else:
                                pass
                                yield escape(l_3_cell)
                            yield '</th>'
                        else:
                            pass
                            yield '<td class="num">'
                            yield escape(l_3_cell)
                            yield '</td>'
                    l_3_loop = l_3_cell = l_3_root = missing
                    yield '</tr>\n'
                l_2_loop = l_2_row = missing
                yield '      </tbody>\n    </table>\n    </div>\n'
                if environment.getattr(l_1_c, 'note'):
                    pass
                    yield '<p class="muted small">'
                    yield escape(environment.getattr(l_1_c, 'note'))
                    yield '</p>'
                yield '  </details>\n'
            else:
                pass
                yield '  <p class="muted empty">'
                yield escape(environment.getattr(l_1_c, 'desc'))
                yield '</p>\n'
            yield '</figure>\n'
        l_1_loop = l_1_c = missing
        yield '</div>\n\n<section aria-labelledby="stages-h" id="stages">\n  <h2 id="stages-h">Time in each stage</h2>\n  <p class="muted">Finished stays and the tasks there now; the stage where work waits longest is marked.</p>\n  <div class="table-scroll" tabindex="0" role="region" aria-labelledby="stages-h">\n  <table>\n    <thead><tr><th scope="col">Stage</th><th scope="col" class="num">Stays</th><th scope="col" class="num">Median (days)</th><th scope="col" class="num">85 % (days)</th><th scope="col" class="num">There now</th><th scope="col" class="num">Their median (days)</th></tr></thead>\n    <tbody>\n'
        for l_1_s in environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'stages'):
            _loop_vars = {}
            pass
            yield '      <tr'
            if environment.getattr(l_1_s, 'bottleneck'):
                pass
                yield ' class="is-bottleneck"'
            yield ' data-stage="'
            yield escape(environment.getattr(l_1_s, 'stage'))
            yield '"><th scope="row">'
            yield escape(environment.getattr(l_1_s, 'title'))
            if environment.getattr(l_1_s, 'bottleneck'):
                pass
                yield ' <span class="badge badge-overdue">waits longest</span>'
            yield '</th><td class="num">'
            yield escape(environment.getattr(l_1_s, 'visits'))
            yield '</td><td class="num">'
            yield escape(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'days'), environment.getattr(l_1_s, 'median_days'), _loop_vars=_loop_vars))
            yield '</td><td class="num">'
            yield escape(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'days'), environment.getattr(l_1_s, 'p85_days'), _loop_vars=_loop_vars))
            yield '</td><td class="num">'
            yield escape(environment.getattr(l_1_s, 'current'))
            yield '</td><td class="num">'
            yield escape(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'days'), environment.getattr(l_1_s, 'current_median_days'), _loop_vars=_loop_vars))
            yield '</td></tr>\n'
        l_1_s = missing
        yield '    </tbody>\n  </table>\n  </div>\n</section>\n\n<section aria-labelledby="stuck-h" id="stuck">\n  <h2 id="stuck-h">Stuck <span class="count">'
        yield escape(t_1(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'stuck')))
        yield '</span></h2>\n'
        if environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'stuck'):
            pass
            yield '  <ul class="review-list">\n'
            for l_1_s in environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'stuck'):
                l_1_root = resolve('root')
                l_1_t = missing
                _loop_vars = {}
                pass
                l_1_t = environment.getitem(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'tasks'), environment.getattr(l_1_s, 'ref'))
                _loop_vars['t'] = l_1_t
                yield '    <li data-task="'
                yield escape(environment.getattr(l_1_s, 'ref'))
                yield '"><a href="'
                yield escape((undefined(name='root') if l_1_root is missing else l_1_root))
                yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'url'))
                yield '">'
                yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'title'))
                yield '</a> <span class="muted">'
                yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'project_title'))
                yield '</span> — '
                yield escape(t_2(environment.getattr(l_1_s, 'days'), 'day'))
                yield ' in '
                yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'stage_title'))
                if environment.getattr(l_1_s, 'over_stale'):
                    pass
                    yield ', over the '
                    yield escape(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'stale_days'))
                    yield '-day limit'
                if (not t_4(environment.getattr(l_1_s, 'p85_days'))):
                    pass
                    yield ', longer than 85 % of past stays there ('
                    yield escape(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'duration'), environment.getattr(l_1_s, 'p85_days'), _loop_vars=_loop_vars))
                    yield ')'
                yield '</li>\n'
            l_1_s = l_1_t = l_1_root = missing
            yield '  </ul>\n'
        else:
            pass
            yield '<p class="muted">Nothing has been in one stage too long.</p>'
        yield '</section>\n\n<section aria-labelledby="forecast-h" id="forecast">\n  <h2 id="forecast-h">Forecast</h2>\n  <p class="muted">When each open project’s remaining tasks will be done, from 1,000 runs that replay its own weekly throughput (Monte Carlo) of the last 12 weeks, counted from the first week one of its tasks changed stage. 85 % means: done by then in 85 of 100 runs. A project needs at least '
        yield escape(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'min_done'))
        yield ' completed tasks over at least '
        yield escape(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'min_weeks'))
        yield ' weeks of history for a forecast; runs stop after '
        yield escape(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'horizon_weeks'))
        yield ' weeks.</p>\n'
        if environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'forecasts'):
            pass
            yield '  <div class="table-scroll" tabindex="0" role="region" aria-labelledby="forecast-h">\n  <table>\n    <thead><tr><th scope="col">Project</th><th scope="col" class="num">Open tasks</th><th scope="col">From</th><th scope="col" class="num">50 %</th><th scope="col" class="num">85 %</th><th scope="col" class="num">95 %</th></tr></thead>\n    <tbody>\n'
            for l_1_f in environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'forecasts'):
                l_1_root = resolve('root')
                l_1_p = missing
                _loop_vars = {}
                pass
                l_1_p = context.call(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'project'), environment.getattr(l_1_f, 'project'), _loop_vars=_loop_vars)
                _loop_vars['p'] = l_1_p
                yield '      <tr data-project="'
                yield escape(environment.getattr(l_1_f, 'project'))
                yield '"><th scope="row">'
                if (undefined(name='p') if l_1_p is missing else l_1_p):
                    pass
                    yield '<a href="'
                    yield escape((undefined(name='root') if l_1_root is missing else l_1_root))
                    yield escape(environment.getattr((undefined(name='p') if l_1_p is missing else l_1_p), 'url'))
                    yield '">'
                    yield escape(environment.getattr((undefined(name='p') if l_1_p is missing else l_1_p), 'title'))
                    yield '</a>'
                else:
                    pass
                    yield escape(environment.getattr(l_1_f, 'project'))
                yield '</th><td class="num">'
                yield escape(environment.getattr(l_1_f, 'remaining'))
                yield '</td><td class="muted">'
                if environment.getattr(l_1_f, 'sample_weeks'):
                    pass
                    yield escape(t_2(environment.getattr(l_1_f, 'sample_done'), 'task'))
                    yield ' done in '
                    yield escape(t_2(environment.getattr(l_1_f, 'sample_weeks'), 'week'))
                else:
                    pass
                    yield 'no stage change yet'
                yield '</td>\n'
                if environment.getattr(l_1_f, 'dates'):
                    pass
                    for l_2_q in (50, 85, 95):
                        _loop_vars = {}
                        pass
                        yield '<td class="num">'
                        if (l_2_q in environment.getattr(l_1_f, 'beyond')):
                            pass
                            yield 'beyond <time datetime="'
                            yield escape(context.call(environment.getattr(environment.getitem(environment.getattr(l_1_f, 'dates'), l_2_q), 'isoformat'), _loop_vars=_loop_vars))
                            yield '">'
                            yield escape(context.call(environment.getattr(environment.getitem(environment.getattr(l_1_f, 'dates'), l_2_q), 'isoformat'), _loop_vars=_loop_vars))
                            yield '</time>'
                        else:
                            pass
                            yield '<time datetime="'
                            yield escape(context.call(environment.getattr(environment.getitem(environment.getattr(l_1_f, 'dates'), l_2_q), 'isoformat'), _loop_vars=_loop_vars))
                            yield '">'
                            yield escape(context.call(environment.getattr(environment.getitem(environment.getattr(l_1_f, 'dates'), l_2_q), 'isoformat'), _loop_vars=_loop_vars))
                            yield '</time>'
                        yield '</td>'
                    l_2_q = missing
                else:
                    pass
                    yield '<td colspan="3" class="muted" data-forecast="none">'
                    yield escape(environment.getattr(l_1_f, 'reason'))
                    yield '</td>'
                yield '</tr>\n'
                if (environment.getattr(l_1_f, 'dates') and environment.getattr(l_1_f, 'reason')):
                    pass
                    yield '<tr><td></td><td colspan="5" class="muted small">Why “beyond”: '
                    yield escape(environment.getattr(l_1_f, 'reason'))
                    yield '.</td></tr>'
            l_1_f = l_1_p = l_1_root = missing
            yield '    </tbody>\n  </table>\n  </div>\n'
        else:
            pass
            yield '<p class="muted">Every project is done.</p>'
        yield '</section>\n'

blocks = {'title': block_title, 'head': block_head, 'content': block_content}
debug_info = '1=12&2=17&3=27&25=37&26=71&29=74&31=76&34=79&38=83&39=86&41=88&42=91&43=93&44=104&49=116&50=120&55=129&56=133&57=137&58=141&59=144&60=146&63=148&65=150&66=153&68=166&73=199&76=208&89=213&90=217&98=240&99=242&101=245&102=253&110=282&111=288&116=291&117=299&118=324&119=349&120=352'