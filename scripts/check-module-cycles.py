import os,re,sys,collections
root=sys.argv[1]
# module of a file: first path component (top-level module) or submodule path
def modname(path):
    rel=os.path.relpath(path,root)[:-3]
    parts=rel.split('/')
    if parts[-1]=='mod': parts=parts[:-1]
    if parts==['lib']: return 'crate'
    return '::'.join(parts)
edges=collections.defaultdict(set)
reexp={}
lib=open(os.path.join(root,'lib.rs')).read()
for mod,names in re.findall(r'pub use ([a-z_]+)(?:::[a-z_]+)*::\{?([^;]*?)\}?;',lib):
    for n in re.findall(r'\b([A-Z][A-Za-z_]*)\b',names): reexp[n]=mod
mods=set()
for d,_,fs in os.walk(root):
    for f in fs:
        if not f.endswith('.rs'): continue
        p=os.path.join(d,f); m=modname(p); mods.add(m)
        src=open(p).read()
        # strip test modules
        src=re.split(r'#\[cfg\(test\)\]',src)[0]
        src=re.sub(r'//.*','',src)
        for t in re.findall(r'crate::([a-z_]+(?:::[a-z_]+)?)',src):
            edges[m].add(t)
        for grp in re.findall(r'crate::\{([^}]*)\}',src):
            for name in re.findall(r'\b([A-Za-z_]+)\b',grp):
                if name in reexp: edges[m].add(reexp[name])
                elif name[0].islower(): edges[m].add(name)
        for name in re.findall(r'crate::([A-Z][A-Za-z_]*)',src):
            if name in reexp: edges[m].add(reexp[name])
        for t in re.findall(r'\bsuper::([a-z_]+)',src):
            parent='::'.join(m.split('::')[:-1]) or 'crate'
            edges[m].add((parent+'::'+t) if parent!='crate' else t)
level=int(sys.argv[2]) if len(sys.argv)>2 else 1
def cut(m): return '::'.join(m.split('::')[:level])
g=collections.defaultdict(set)
for a,bs in edges.items():
    for b in bs:
        if b.split('::')[0] not in {x.split('::')[0] for x in mods}: continue
        A=cut(a); B=cut(b)
        # resolve B to a known module prefix
        if A!=B and A!='crate': g[A].add(B)
# find cycles (SCCs)
idx={};low={};st=[];on=set();res=[];c=[0]
def sc(v):
    idx[v]=low[v]=c[0];c[0]+=1;st.append(v);on.add(v)
    for w in g.get(v,()):
        if w not in idx: sc(w);low[v]=min(low[v],low[w])
        elif w in on: low[v]=min(low[v],idx[w])
    if low[v]==idx[v]:
        comp=[]
        while True:
            w=st.pop();on.discard(w);comp.append(w)
            if w==v:break
        if len(comp)>1: res.append(comp)
for v in list(g): 
    if v not in idx: sc(v)
for k in sorted(g): print(k,'->',sorted(g[k]))
print("CYCLES:",res)
